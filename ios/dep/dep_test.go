package dep_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/ios/dep"
	"github.com/trennwand/trennwand/ios/depfake"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/pki"
)

// town is a tenant whose Automated Device Enrollment runs against the fake of Apple's
// device assignment service. The sync job is run by hand, so that a test says which step
// it takes.
type town struct {
	st     *store.Store
	tenant mdm.Tenant
	dep    *dep.Service
	apple  *depfake.Server
}

func newTown(t testing.TB, backend string) *town {
	t.Helper()
	st := storetest.Open(t, backend, store.WithMigrations(store.MigrationSource{Name: "ios", FS: ios.Migrations()}))
	key, err := pki.ParseMasterKey(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	svc := domain.New(st, key)
	apple := depfake.Start()
	t.Cleanup(apple.Close)
	s, err := dep.New(dep.Config{Tables: st.Tables(), Sealer: key, URL: apple.URL(), Now: svc.Now,
		EnrolURL: func(id string) string { return "https://mdm.musterstadt.example/apple/enrol/ade/" + id },
		WebURL:   func(id string) string { return "https://mdm.musterstadt.example/apple/signin/ade/" + id }})
	if err != nil {
		t.Fatal(err)
	}
	return &town{st: st, tenant: storetest.Tenant(t, svc, "musterstadt"), dep: s, apple: apple}
}

func eachBackend(t *testing.T, fn func(t *testing.T, w *town)) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) { fn(t, newTown(t, backend)) })
	}
}

// tokenFile is the server token Apple Business Manager hands out for the certificate IT
// uploaded there.
func (w *town) tokenFile(t testing.TB) []byte {
	t.Helper()
	certPEM, err := w.dep.Certificate(context.Background(), w.tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	file, err := w.apple.TokenFileFor(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	return file
}

func (w *town) auditActions(t testing.TB) []audit.Action {
	t.Helper()
	var actions []audit.Action
	err := store.TrailOf(w.st).AuditEvents(context.Background(), w.tenant.ID, 0, func(e audit.Event) error {
		actions = append(actions, e.Action)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return actions
}

// IT downloads the server's certificate, uploads it to Apple Business Manager and uploads
// the server token it gets back; the token is kept sealed, and the sync reads the devices
// the town bought, defines the enrolment profile with Apple and assigns it to each of them.
// A device bought later arrives with the next sync by the cursor, and is assigned too; one
// given back leaves.
func TestTheTownsDevicesAreSyncedAndGetTheEnrolmentProfile(t *testing.T) {
	eachBackend(t, func(t *testing.T, w *town) {
		ctx := context.Background()
		w.apple.AddDevice("F2LXK0QWHG7F", "iPhone 15", "Bürgerbüro 1")
		w.apple.AddDevice("G6TZ91MNP2QX", "iPhone 15", "Bürgerbüro 2")

		tok, err := w.dep.SetToken(ctx, "admin:test", w.tenant.ID, w.tokenFile(t))
		if err != nil {
			t.Fatal(err)
		}
		if !tok.Uploaded || tok.ExpiresAt.IsZero() {
			t.Errorf("token %+v", tok)
		}
		var sealed []byte
		if err := w.st.Tables().DB().Raw("SELECT sealed_tokens FROM ios_dep_tokens").Row().Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if len(sealed) == 0 || strings.Contains(string(sealed), w.apple.Tokens().AccessSecret) {
			t.Errorf("the server token is kept as it came: %q", sealed)
		}

		if err := w.dep.Sync(ctx, dep.SyncJob{TenantID: w.tenant.ID}); err != nil {
			t.Fatal(err)
		}
		devices, err := w.dep.Devices(ctx, w.tenant.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(devices) != 2 || devices[0].SerialNumber != "F2LXK0QWHG7F" || devices[0].Description != "Bürgerbüro 1" {
			t.Fatalf("devices %+v", devices)
		}
		profile := devices[0].ProfileUUID
		p, ok := w.apple.Profile(profile)
		if !ok || p.URL != "https://mdm.musterstadt.example/apple/enrol/ade/"+w.tenant.ID || !p.IsSupervised || !p.IsMandatory || p.Removable {
			t.Fatalf("profile %q at Apple: %+v", profile, p)
		}
		for _, d := range devices {
			if at, _ := w.apple.Device(d.SerialNumber); at.ProfileUUID != profile || d.ProfileUUID != profile {
				t.Errorf("device %s has profile %q at Apple, %q here; want %q", d.SerialNumber, at.ProfileUUID, d.ProfileUUID, profile)
			}
		}

		w.apple.AddDevice("H7QW3ERT5YUI", "iPad Air", "Bauamt")
		w.apple.RemoveDevice("G6TZ91MNP2QX")
		if err := w.dep.Sync(ctx, dep.SyncJob{TenantID: w.tenant.ID}); err != nil {
			t.Fatal(err)
		}
		devices, _ = w.dep.Devices(ctx, w.tenant.ID)
		var serials []string
		for _, d := range devices {
			serials = append(serials, d.SerialNumber+":"+d.ProfileUUID)
		}
		if want := []string{"F2LXK0QWHG7F:" + profile, "H7QW3ERT5YUI:" + profile}; !slices.Equal(serials, want) {
			t.Errorf("after the second sync %v, want %v", serials, want)
		}
		if n := w.apple.Requests()["POST /server/devices"]; n != 1 {
			t.Errorf("%d full fetches, want 1 (then the sync by cursor)", n)
		}
		if n := w.apple.Requests()["POST /profile"]; n != 1 {
			t.Errorf("the profile was defined %d times, want once", n)
		}
		actions := w.auditActions(t)
		if slices.Index(actions, audit.AppleDEPTokenSet) < 0 || countOf(actions, audit.AppleDEPProfileAssign) != 2 {
			t.Errorf("audit trail %v", actions)
		}
		tok, _ = w.dep.Token(ctx, w.tenant.ID)
		if tok.ServerName == "" || tok.OrgName != "Stadt Musterstadt" || tok.SyncedAt == nil || tok.Problem != "" {
			t.Errorf("token after the sync %+v", tok)
		}
	})
}

// A file that is not a server token for the tenant's certificate — another server's, a
// damaged one, none at all — is refused, and nothing is stored.
func TestAServerTokenForAnotherCertificateIsRefused(t *testing.T) {
	eachBackend(t, func(t *testing.T, w *town) {
		ctx := context.Background()
		if _, err := w.dep.SetToken(ctx, "admin:test", w.tenant.ID, []byte("x")); !errors.Is(err, mdm.ErrInvalid) {
			t.Errorf("a token before the certificate: %v, want ErrInvalid", err)
		}
		other := newTown(t, storetest.SQLite)
		foreign := other.tokenFile(t)
		good := w.tokenFile(t)
		for name, file := range map[string][]byte{"another server's": foreign, "damaged": good[:len(good)/2], "empty": nil,
			"not S/MIME": []byte("MIAGCSqGSIb3DQEHA6CAMIACAQAxggFs")} {
			if _, err := w.dep.SetToken(ctx, "admin:test", w.tenant.ID, file); !errors.Is(err, mdm.ErrInvalid) {
				t.Errorf("%s token: %v, want ErrInvalid", name, err)
			}
		}
		if tok, err := w.dep.Token(ctx, w.tenant.ID); err != nil || tok.Uploaded {
			t.Errorf("after the refusals: %+v %v", tok, err)
		}
		if slices.Contains(w.auditActions(t), audit.AppleDEPTokenSet) {
			t.Error("a refused token is on record as set")
		}
	})
}

func countOf[T comparable](xs []T, x T) int {
	n := 0
	for _, y := range xs {
		if y == x {
			n++
		}
	}
	return n
}

// The pass of a bought device's sign-in form names the serial number it was issued for,
// is its tenant's alone and works once; only its hash is kept.
func TestASetupPassWorksOnceForItsTenantAndDevice(t *testing.T) {
	eachBackend(t, func(t *testing.T, w *town) {
		ctx := context.Background()
		pass, err := w.dep.IssueSetupPass(ctx, w.tenant.ID, "F2LXK0QWHG7F")
		if err != nil {
			t.Fatal(err)
		}
		if n := storetest.Count(t, w.st, "ios_dep_setup_passes", "pass_hash = ?", pass); n != 0 {
			t.Error("the pass itself is kept")
		}
		forged := "A" + pass[1:]
		if pass[0] == 'A' {
			forged = "B" + pass[1:]
		}
		for name, c := range map[string]struct{ tenant, pass string }{
			"another tenant": {"nachbarort", pass}, "a forged pass": {w.tenant.ID, forged}, "no pass": {w.tenant.ID, ""},
			"an overlong pass": {w.tenant.ID, strings.Repeat(pass, 3)},
		} {
			if _, err := w.dep.RedeemSetupPass(ctx, c.tenant, c.pass); !errors.Is(err, mdm.ErrNotFound) {
				t.Errorf("%s: %v, want not found", name, err)
			}
		}
		serial, err := w.dep.RedeemSetupPass(ctx, w.tenant.ID, pass)
		if err != nil || serial != "F2LXK0QWHG7F" {
			t.Fatalf("the pass: %q, %v", serial, err)
		}
		if _, err := w.dep.RedeemSetupPass(ctx, w.tenant.ID, pass); !errors.Is(err, mdm.ErrNotFound) {
			t.Errorf("the pass a second time: %v, want not found", err)
		}
	})
}
