package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trennwand/trennwand/api"
	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/ios/dep"
	"github.com/trennwand/trennwand/ios/depfake"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/ui/dashboard"
)

// fakeABM is Automated Device Enrollment of the API world: in memory, every tenant with a
// token, "expired" refused; or, once a test sets real, the real service.
type fakeABM struct {
	mu     sync.Mutex
	real   dashboard.AppleBusinessManager
	tokens map[string]dashboard.ServerToken
}

func (f *fakeABM) ServerCertificate(ctx context.Context, tenantID string) ([]byte, error) {
	if f.real != nil {
		return f.real.ServerCertificate(ctx, tenantID)
	}
	return []byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"), nil
}

func (f *fakeABM) ServerToken(ctx context.Context, tenantID string) (dashboard.ServerToken, error) {
	if f.real != nil {
		return f.real.ServerToken(ctx, tenantID)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if t, ok := f.tokens[tenantID]; ok {
		return t, nil
	}
	return dashboard.ServerToken{Uploaded: true, Org: "preset", ExpiresAt: time.Now().AddDate(1, 0, 0)}, nil
}

func (f *fakeABM) SetServerToken(ctx context.Context, actor, tenantID string, file []byte) (dashboard.ServerToken, error) {
	if f.real != nil {
		return f.real.SetServerToken(ctx, actor, tenantID, file)
	}
	if string(file) == "expired" {
		return dashboard.ServerToken{}, fmt.Errorf("%w: the server token expired", mdm.ErrInvalid)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.tokens == nil {
		f.tokens = map[string]dashboard.ServerToken{}
	}
	t := dashboard.ServerToken{Uploaded: true, Org: string(file), ExpiresAt: time.Now().AddDate(1, 0, 0), UpdatedAt: time.Now()}
	f.tokens[tenantID] = t
	return t, nil
}

func (f *fakeABM) SyncBoughtDevices(ctx context.Context, tenantID string) error {
	if f.real != nil {
		return f.real.SyncBoughtDevices(ctx, tenantID)
	}
	return nil
}

func (f *fakeABM) BoughtDevices(ctx context.Context, tenantID string) ([]dashboard.BoughtDevice, error) {
	if f.real != nil {
		return f.real.BoughtDevices(ctx, tenantID)
	}
	return nil, nil
}

// abmWorld is an API world whose Automated Device Enrollment is the real service against
// the fake of Apple's device assignment service, on a store with the Apple tables.
type abmWorld struct {
	*apiWorld
	apple *depfake.Server
	dep   *dep.Service
}

func newABMWorld(t *testing.T, backend string) *abmWorld {
	t.Helper()
	s := storetest.Open(t, backend, store.WithMigrations(store.MigrationSource{Name: "ios", FS: ios.Migrations()}))
	w := newAPIWorld(t, s)
	apple := depfake.Start()
	t.Cleanup(apple.Close)
	svc, err := dep.New(dep.Config{Tables: s.Tables(), Sealer: storetest.PlainSealer{}, URL: apple.URL(),
		EnrolURL: func(id string) string { return "https://mdm.musterstadt.example" + ios.PathEnrolAutomated(id) },
		WebURL:   func(id string) string { return "https://mdm.musterstadt.example" + ios.PathSignInAutomated(id) }})
	if err != nil {
		t.Fatal(err)
	}
	w.abm.real = api.DashboardAppleBusinessManager(svc)
	return &abmWorld{apiWorld: w, apple: apple, dep: svc}
}

// tokenFile is the server token file the fake Apple Business Manager hands out for the
// certificate.
func (w *abmWorld) tokenFile(certPEM string) string {
	w.t.Helper()
	file, err := w.apple.TokenFileFor([]byte(certPEM))
	if err != nil {
		w.t.Fatal(err)
	}
	return string(file)
}

// An administrator connects the server to Apple Business Manager in the API: they fetch
// the certificate, upload the token file Apple hands out for it, see its state, have the
// devices synced and listed. A file that is no token for this server's certificate is
// refused with the reason and nothing is stored; only the upload is audited.
func TestAnAdminConnectsAppleBusinessManagerThroughTheAPI(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) { connectThroughTheAPI(t, newABMWorld(t, backend)) })
	}
}

func connectThroughTheAPI(t *testing.T, w *abmWorld) {
	admin := w.tokens[mdm.RoleAdmin]
	if code, body := w.call(http.MethodGet, "/api/v1/apple/dep-token", admin, ""); code != http.StatusNotFound {
		t.Errorf("the token before the certificate: %d %s, want 404", code, body)
	}
	if code, body := w.call(http.MethodPut, "/api/v1/apple/dep-token", admin, `{"token":"no certificate yet"}`); code != http.StatusBadRequest ||
		!strings.Contains(body, "certificate") {
		t.Errorf("a token before the certificate: %d %s, want 400", code, body)
	}
	code, body := w.call(http.MethodGet, "/api/v1/apple/dep-token/certificate", admin, "")
	var cert struct{ Certificate string }
	if err := json.Unmarshal([]byte(body), &cert); code != http.StatusOK || err != nil || !strings.HasPrefix(cert.Certificate, "-----BEGIN CERTIFICATE-----") {
		t.Fatalf("the certificate: %d %s", code, body)
	}
	if _, again := w.call(http.MethodGet, "/api/v1/apple/dep-token/certificate", admin, ""); again != body {
		t.Error("a second download is another certificate")
	}

	// The token file Apple hands out for another tenant's certificate.
	otherCert, err := w.dep.Certificate(context.Background(), w.other.ID)
	if err != nil {
		t.Fatal(err)
	}
	for name, file := range map[string]string{"garbage": "not a token file", "a token for another server": w.tokenFile(string(otherCert))} {
		in, _ := json.Marshal(map[string]string{"token": file})
		if code, answer := w.call(http.MethodPut, "/api/v1/apple/dep-token", admin, string(in)); code != http.StatusBadRequest ||
			!strings.Contains(answer, "server token") {
			t.Errorf("%s: %d %s, want 400 with the reason", name, code, answer)
		}
	}
	if code, _ := w.call(http.MethodPost, "/api/v1/apple/dep-token/sync", admin, ""); code != http.StatusBadRequest {
		t.Errorf("a sync without a token: %d, want 400", code)
	}
	if _, body := w.call(http.MethodGet, "/api/v1/apple/dep-token", admin, ""); !strings.Contains(body, `"uploaded":false`) {
		t.Errorf("refused files left a token: %s", body)
	}
	if e := w.lastAudit(w.tenant); e.Action == "apple.dep_token.set" {
		t.Error("a refused file was audited as set")
	}

	w.apple.AddDevice("F2LXK0QWHG7F", "iPhone 15", "Bürgerbüro")
	in, _ := json.Marshal(map[string]string{"token": w.tokenFile(cert.Certificate)})
	if code, body := w.call(http.MethodPut, "/api/v1/apple/dep-token", admin, string(in)); code != http.StatusOK || !strings.Contains(body, `"uploaded":true`) {
		t.Fatalf("the token: %d %s", code, body)
	}
	if e := w.lastAudit(w.tenant); e.Action != "apple.dep_token.set" || !strings.HasPrefix(e.Actor, "token:") {
		t.Errorf("the upload is audited as %s by %s", e.Action, e.Actor)
	}
	if code, body := w.call(http.MethodPost, "/api/v1/apple/dep-token/sync", admin, ""); code != http.StatusAccepted {
		t.Fatalf("sync now: %d %s", code, body)
	}
	if err := w.dep.Sync(context.Background(), dep.SyncJob{TenantID: w.tenant.ID}); err != nil {
		t.Fatal(err)
	}
	_, body = w.call(http.MethodGet, "/api/v1/apple/dep-token", admin, "")
	if !strings.Contains(body, `"devices":1`) || !strings.Contains(body, `"synced_at"`) || !strings.Contains(body, `"expiring":false`) {
		t.Errorf("the token after the sync: %s", body)
	}
	if _, body := w.call(http.MethodGet, "/api/v1/apple/dep-devices", admin, ""); !strings.Contains(body, `"serial_number":"F2LXK0QWHG7F"`) {
		t.Errorf("the devices: %s", body)
	}
	// Another tenant's administrator sees its own state, not this one's.
	_, other, err := w.svc.Access.CreateToken(context.Background(), "test", &w.other, access.TokenRequest{Name: "admin", Role: mdm.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	if code, body := w.call(http.MethodGet, "/api/v1/apple/dep-token", other, ""); code != http.StatusOK || !strings.Contains(body, `"uploaded":false`) {
		t.Errorf("another tenant's admin reads: %d %s", code, body)
	}
	if _, body := w.call(http.MethodGet, "/api/v1/apple/dep-devices", other, ""); strings.Contains(body, "F2LXK0QWHG7F") {
		t.Errorf("another tenant's admin sees the devices: %s", body)
	}
}

// On the dashboard the administrator downloads the certificate, uploads the token file,
// sees the state in German or English, and is warned 30 days before the token expires; a
// wrong file, a missing one or one too large is refused with the reason in the page's
// language and nothing is stored.
func TestAnAdminConnectsAppleBusinessManagerOnTheDashboard(t *testing.T) {
	w := newABMWorld(t, storetest.SQLite)
	admin := w.session(w.tenant, mdm.RoleAdmin)
	code, _, body := w.pageIn("de", http.MethodGet, "/ui/apple/abm", admin, nil)
	if code != http.StatusOK || !strings.Contains(body, "Noch kein Server-Token") || !strings.Contains(body, "/ui/apple/abm/certificate") {
		t.Fatalf("the page before the certificate: %d\n%.1500s", code, body)
	}
	code, _, body = w.pageIn("de", http.MethodPost, "/ui/apple/abm/token", admin, url.Values{"token": {"kein Token"}})
	if code != http.StatusBadRequest || !strings.Contains(body, "Laden Sie zuerst das Zertifikat dieses Servers herunter") {
		t.Errorf("a token before the certificate: %d\n%.1500s", code, body)
	}
	code, _, certPEM := w.page(http.MethodGet, "/ui/apple/abm/certificate", admin, nil)
	if code != http.StatusOK || !strings.HasPrefix(certPEM, "-----BEGIN CERTIFICATE-----") {
		t.Fatalf("the certificate: %d %.200s", code, certPEM)
	}

	for name, c := range map[string]struct{ lang, file, want string }{
		"garbage, in German":  {"de", "kein Token", "Diese Datei ist kein Server-Token für das Zertifikat dieses Servers"},
		"garbage, in English": {"en", "not a token", "This file is not a server token for this server"},
		"too large":           {"en", strings.Repeat("A", 70<<10), "larger than a server token can be"},
	} {
		code, _, body := w.pageIn(c.lang, http.MethodPost, "/ui/apple/abm/token", admin, url.Values{"token": {c.file}})
		if code != http.StatusBadRequest || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d, want 400 with %q:\n%.1500s", name, code, c.want, body)
		}
	}
	if code, body := w.upload("/ui/apple/abm/token", admin, map[string]string{}); code != http.StatusBadRequest || !strings.Contains(body, ".p7m") {
		t.Errorf("no file: %d\n%.1500s", code, body)
	}
	if tok, err := w.dep.Token(context.Background(), w.tenant.ID); err != nil || tok.Uploaded {
		t.Fatalf("refused files left a token: %+v %v", tok, err)
	}

	w.apple.AddDevice("F2LXK0QWHG7F", "iPhone 15", "Bürgerbüro, Schalter 1")
	if code, body := w.upload("/ui/apple/abm/token", admin, map[string]string{"token": w.tokenFile(certPEM)}); code != http.StatusSeeOther {
		t.Fatalf("the token file: %d\n%.1500s", code, body)
	}
	if code, to, _ := w.page(http.MethodPost, "/ui/apple/abm/sync", admin, url.Values{}); code != http.StatusSeeOther || to != "/ui/apple/abm?done=sync_queued" {
		t.Errorf("sync now: %d to %q", code, to)
	}
	if err := w.dep.Sync(context.Background(), dep.SyncJob{TenantID: w.tenant.ID}); err != nil {
		t.Fatal(err)
	}
	_, _, body = w.pageIn("de", http.MethodGet, "/ui/apple/abm", admin, nil)
	for _, want := range []string{`id="abm-status"`, "Diesem Server zugewiesene Geräte</dt><dd>1</dd>", "F2LXK0QWHG7F", "Bürgerbüro, Schalter 1", "Geräte jetzt bei Apple abrufen"} {
		if !strings.Contains(body, want) {
			t.Errorf("the German page lacks %q:\n%.3000s", want, body)
		}
	}
	if strings.Contains(body, "läuft in weniger als 30 Tagen ab") {
		t.Error("a token of a year is shown as expiring")
	}

	// A token that ends within 30 days is shown with the warning.
	w.apple.SetTokenExpiry(time.Now().Add(10 * 24 * time.Hour))
	w.upload("/ui/apple/abm/token", admin, map[string]string{"token": w.tokenFile(certPEM)})
	if _, _, body := w.pageIn("en", http.MethodGet, "/ui/apple/abm", admin, nil); !strings.Contains(body, "expires within 30 days") {
		t.Errorf("a token of 10 days is not shown as expiring:\n%.3000s", body)
	}
}

// Only administrators manage Apple Business Manager: helpdesk and DPO are refused the page,
// its forms and its API routes, and nothing is stored.
func TestOnlyAdministratorsManageAppleBusinessManager(t *testing.T) {
	w := newABMWorld(t, storetest.SQLite)
	for _, role := range []mdm.Role{mdm.RoleHelpdesk, mdm.RoleDPO} {
		s := w.session(w.tenant, role)
		for _, path := range []string{"/ui/apple/abm", "/ui/apple/abm/certificate"} {
			if code, _, _ := w.page(http.MethodGet, path, s, nil); code != http.StatusForbidden {
				t.Errorf("%s: GET %s %d, want 403", role, path, code)
			}
		}
		if code, _ := w.upload("/ui/apple/abm/token", s, map[string]string{"token": "x"}); code != http.StatusForbidden {
			t.Errorf("%s: upload %d, want 403", role, code)
		}
		for _, r := range []struct{ method, path, body string }{
			{http.MethodGet, "/api/v1/apple/dep-token", ""}, {http.MethodGet, "/api/v1/apple/dep-token/certificate", ""},
			{http.MethodPut, "/api/v1/apple/dep-token", `{"token":"x"}`}, {http.MethodPost, "/api/v1/apple/dep-token/sync", ""},
			{http.MethodGet, "/api/v1/apple/dep-devices", ""},
		} {
			if code, _ := w.call(r.method, r.path, w.tokens[role], r.body); code != http.StatusForbidden {
				t.Errorf("%s: %s %s %d, want 403", role, r.method, r.path, code)
			}
		}
	}
	if _, err := w.dep.Token(context.Background(), w.tenant.ID); err == nil {
		t.Error("a refused role made the certificate")
	}
}
