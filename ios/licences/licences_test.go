package licences_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/ios/licences"
	"github.com/trennwand/trennwand/ios/vpp"
	"github.com/trennwand/trennwand/ios/vppfake"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// office is a tenant whose licensing runs against a fake of Apple's Apps and Books. The
// jobs the licensing queues are run by hand, so that a test says which step it takes.
type office struct {
	st     *store.Store
	svc    *domain.Services
	tenant mdm.Tenant
	lic    *licences.Service
	fake   *vppfake.Server
}

func newOffice(t testing.TB, backend string) *office {
	t.Helper()
	// The ios_vpp_ tables are created by the Apple component's migration series.
	st := storetest.Open(t, backend, store.WithMigrations(store.MigrationSource{Name: "ios", FS: ios.Migrations()}))
	svc := domain.New(st, storetest.PlainSealer{})
	fake := vppfake.Start()
	t.Cleanup(fake.Close)
	lic, err := licences.New(licences.Config{Tables: st.Tables(), Domain: st, Sealer: storetest.PlainSealer{}, Client: fake.Client(), Now: svc.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &office{st: st, svc: svc, tenant: storetest.Tenant(t, svc, "musterstadt"), lic: lic, fake: fake}
}

func eachBackend(t *testing.T, fn func(t *testing.T, o *office)) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) { fn(t, newOffice(t, backend)) })
	}
}

// auditActions lists the actions of the tenant's audit trail.
func (o *office) auditActions(t testing.TB) []audit.Action {
	t.Helper()
	var actions []audit.Action
	err := store.TrailOf(o.st).AuditEvents(context.Background(), o.tenant.ID, 0, func(e audit.Event) error {
		actions = append(actions, e.Action)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return actions
}

func TestATokenThatIsMalformedOrExpiredIsRefusedAndNothingIsStored(t *testing.T) {
	eachBackend(t, func(t *testing.T, o *office) {
		ctx := context.Background()
		for name, file := range map[string][]byte{
			"malformed":  []byte("this is not a token"),
			"not json":   []byte("bm90IGpzb24="),
			"expired":    o.fake.AddOrganisation("Stadt Musterstadt", time.Now().Add(-time.Hour)),
			"no expDate": vpp.EncodeToken("secret", "Stadt", time.Time{})[:10],
		} {
			if _, err := o.lic.SetLicenceToken(ctx, "admin:test", o.tenant.ID, file); !errors.Is(err, mdm.ErrInvalid) {
				t.Errorf("%s token: %v, want ErrInvalid", name, err)
			}
		}
		if _, err := o.lic.LicenceToken(ctx, o.tenant.ID); !errors.Is(err, mdm.ErrNotFound) {
			t.Fatalf("after refused uploads the tenant has a token (%v)", err)
		}
		if slices.Contains(o.auditActions(t), audit.AppleVPPTokenSet) {
			t.Fatal("a refused upload was audited as set")
		}
	})
}

func TestAnUploadedTokenIsAuditedAndItsCatalogueIsReadFromApple(t *testing.T) {
	eachBackend(t, func(t *testing.T, o *office) {
		ctx := context.Background()
		token := o.fake.AddOrganisation("Stadt Musterstadt", time.Now().Add(20*24*time.Hour))
		o.fake.AddApp(token, "1001", "de.musterstadt.mail", "Musterstadt Mail", 5)
		tok, err := o.lic.SetLicenceToken(ctx, "admin:test", o.tenant.ID, token)
		if err != nil {
			t.Fatal(err)
		}
		if tok.Organisation != "Stadt Musterstadt" || !tok.Expiring || tok.Expired || tok.SyncedAt != nil {
			t.Fatalf("token %+v: want the organisation's, expiring within 30 days, not read yet", tok)
		}
		if !slices.Contains(o.auditActions(t), audit.AppleVPPTokenSet) {
			t.Fatal("the upload was not audited")
		}
		if err := o.lic.SyncCatalogue(ctx, licences.SyncJob{TenantID: o.tenant.ID}); err != nil {
			t.Fatal(err)
		}
		apps, err := o.lic.LicensedApps(ctx, o.tenant.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []mdm.LicensedApp{{AdamID: "1001", BundleID: "de.musterstadt.mail", Name: "Musterstadt Mail", Total: 5, Available: 5}}
		if !slices.Equal(apps, want) {
			t.Fatalf("catalogue %+v, want %+v", apps, want)
		}
		if tok, err := o.lic.LicenceToken(ctx, o.tenant.ID); err != nil || tok.SyncedAt == nil {
			t.Fatalf("token %+v (%v): want the catalogue's reading recorded", tok, err)
		}
	})
}
