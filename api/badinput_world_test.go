package api_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"testing"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/android/amapifake"
	"github.com/trennwand/trennwand/api"
	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/ios/dep"
	"github.com/trennwand/trennwand/ios/depfake"
	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/pki"
	"github.com/trennwand/trennwand/ui/portal"
)

// fullWorld is an apiWorld with everything else a server mounts, wired as serve wires it:
// the CA with SCEP, the Apple and Android platforms (Android against the AMAPI fake, bound
// to an enterprise), and the employee portal.
type fullWorld struct {
	*apiWorld
	ca      *pki.CA
	pushURL string // the tenant's Pub/Sub push path with its secret
}

func newFullWorld(t *testing.T, backend string) *fullWorld {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, backend,
		store.WithMigrations(store.MigrationSource{Name: "pki", FS: pki.Migrations()}),
		store.WithMigrations(store.MigrationSource{Name: "ios", FS: ios.Migrations()}),
		store.WithMigrations(store.MigrationSource{Name: "android", FS: android.Migrations()}))
	key, err := pki.ParseMasterKey(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	public, _ := url.Parse("https://mdm.musterstadt.example")
	ca, err := pki.Open(ctx, st.Tables().DB(), key, pki.Config{Name: "Musterstadt", PublicURL: public})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ca.Close)
	w := &fullWorld{apiWorld: newAPIWorld(t, st, func(c *api.Config) { c.PKI = ca }), ca: ca}

	dir := t.TempDir()
	cert, err := ca.ServerCertificate(ctx, filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key"), []string{public.Hostname()})
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	apple, err := ios.New(w.svc, ca, storage.New(st.Tables(), key), ios.Config{PublicURL: public, Topic: "com.apple.mgmt.test",
		ProfileSigner: ios.TLSCertificate(tlsCfg, public.Hostname())})
	if err != nil {
		t.Fatal(err)
	}
	w.srv.MountApple(apple.Handler())
	// Apple Business Manager is the real service, against its fake.
	depApple := depfake.Start()
	t.Cleanup(depApple.Close)
	abm, err := dep.New(dep.Config{Tables: st.Tables(), Sealer: key, URL: depApple.URL(),
		EnrolURL: func(id string) string { return public.JoinPath(ios.PathEnrolAutomated(id)).String() },
		WebURL:   func(id string) string { return public.JoinPath(ios.PathSignInAutomated(id)).String() }})
	if err != nil {
		t.Fatal(err)
	}
	w.abm.real = api.DashboardAppleBusinessManager(abm)

	fake := amapifake.New()
	amapi := httptest.NewServer(fake.Handler())
	t.Cleanup(amapi.Close)
	client, err := android.NewClient(ctx, android.ClientConfig{Endpoint: amapi.URL + "/", HTTPClient: amapi.Client(), ProjectID: "trennwand-test"})
	if err != nil {
		t.Fatal(err)
	}
	droid := android.New(w.svc, st.Tables(), client, android.Config{PublicURL: public, Challenges: ca})
	b, err := droid.Bind(ctx, "test", w.tenant, fake.CreateEnterprise("Stadt Musterstadt"), "projects/trennwand-test/topics/trennwand-musterstadt")
	if err != nil {
		t.Fatal(err)
	}
	push, _ := url.Parse(b.PushURL)
	w.pushURL = push.RequestURI()
	w.srv.MountAndroid(droid.Handler())

	p, err := portal.New(portal.Config{Service: w.svc, Drivers: map[mdm.Platform]mdm.Driver{mdm.PlatformIOS: apple, mdm.PlatformAndroid: droid}})
	if err != nil {
		t.Fatal(err)
	}
	w.srv.MountPortal(p.Handler())
	return w
}

// rowCounts counts the rows of every table of the database.
func (w *fullWorld) rowCounts(t *testing.T) map[string]int64 {
	t.Helper()
	db := w.store.Tables().DB()
	query := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if w.store.Postgres() {
		query = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`
	}
	var tables []string
	if err := db.Raw(query).Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	slices.Sort(tables)
	out := make(map[string]int64, len(tables))
	for _, table := range tables {
		var n int64
		if err := db.Raw(`SELECT COUNT(*) FROM "` + table + `"`).Scan(&n).Error; err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}
