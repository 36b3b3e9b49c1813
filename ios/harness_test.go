package ios_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/ios/apnsfake"
	"github.com/trennwand/trennwand/ios/licences"
	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/ios/vppfake"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/pki"
)

// testTopic is the APNs topic the test installation is configured with.
const testTopic = "com.apple.mgmt.External.2f5a6c9e-1b7d-4c3a-9e8f-0a1b2c3d4e5f"

// site is one installation as a phone sees it: the Apple platform and the CA's SCEP
// endpoint behind one HTTPS server, whose certificate the installation's CA issued, on a
// fresh database.
type site struct {
	st       *store.Store
	svc      *domain.Services
	ca       *pki.CA
	nano     *storage.Storage
	platform *ios.Platform
	url      string
	tls      *tls.Config
	tenant   mdm.Tenant
	// topic is the APNs topic enrolment profiles are expected to name.
	topic string
	// licences is the fake of Apple's Apps and Books once withLicences has turned
	// licensing on; the job queue of pushing then runs the licence jobs too.
	licences *vppfake.Server
	// lic is the licensing that withLicences has turned on.
	lic *licences.Service
	// ahead is how far the site's clock (the domain's and the Apple storage's) runs
	// ahead of the real one; tests move it with passDays.
	ahead atomic.Int64
}

// now is the site's clock.
func (s *site) now() time.Time { return time.Now().Add(time.Duration(s.ahead.Load())) }

// pass moves the site's clock on by d.
func (s *site) pass(d time.Duration) { s.ahead.Add(int64(d)) }

// eachBackend runs fn on a fresh site on every database the suite runs on.
func eachBackend(t *testing.T, fn func(t *testing.T, s *site)) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) { fn(t, newSite(t, backend)) })
	}
}

func testMasterKey(t testing.TB) *pki.MasterKey {
	t.Helper()
	key, err := pki.ParseMasterKey(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func newSite(t testing.TB, backend string) *site {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, backend,
		store.WithMigrations(store.MigrationSource{Name: "pki", FS: pki.Migrations()}),
		store.WithMigrations(store.MigrationSource{Name: "ios", FS: ios.Migrations()}))
	key := testMasterKey(t)
	s := &site{st: st, topic: testTopic}
	s.svc = domain.New(st, key, mdm.WithCertificates(siteCertificates{s}), mdm.WithPlatforms(ios.Registration()),
		mdm.WithClock(s.now))

	var handler http.Handler = http.NotFoundHandler()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	s.url = "https://" + srv.Listener.Addr().String()
	public, _ := url.Parse(s.url)
	ca, err := pki.Open(ctx, st.Tables().DB(), key, pki.Config{Name: "Musterstadt", PublicURL: public})
	if err != nil {
		t.Fatalf("open CA: %v", err)
	}
	t.Cleanup(ca.Close)
	dir := t.TempDir()
	cert, err := ca.ServerCertificate(ctx, filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key"), []string{"127.0.0.1"})
	if err != nil {
		t.Fatalf("server certificate: %v", err)
	}
	s.ca, s.nano = ca, storage.New(st.Tables(), key, storage.WithClock(s.now))
	s.tls = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	s.platform, err = ios.New(s.svc, ca, s.nano, ios.Config{PublicURL: public, Topic: testTopic,
		ProfileSigner: ios.TLSCertificate(s.tls, "127.0.0.1"), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("ios.New: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", s.platform.Handler())
	mux.Handle("/scep/", ca.SCEPHandler())
	handler = mux
	srv.TLS = s.tls
	srv.StartTLS()
	t.Cleanup(srv.Close)
	s.tenant = storetest.Tenant(t, s.svc, "musterstadt")
	return s
}

// client is how a phone talks to the site: it trusts the installation's CA and follows no
// redirects (the sign-in's redirect leads to the phone's own URL scheme).
func (s *site) client() *http.Client {
	roots := x509.NewCertPool()
	roots.AddCert(s.ca.Root())
	return &http.Client{
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}
}

// invite invites an employee with a managed Apple account (none when appleID is empty)
// and returns the invitation code. A tenant without a push certificate gets one for the
// site's topic first, as IT uploads it before inviting.
func (s *site) invite(t testing.TB, email, appleID string, platform mdm.Platform) string {
	t.Helper()
	s.pushCertificateUploaded(t)
	inv, err := s.svc.Enrolment.Invite(context.Background(), "test", s.tenant, enrolment.InviteRequest{Email: email, Platform: platform, ManagedAppleID: appleID})
	if err != nil {
		t.Fatalf("invite %s: %v", email, err)
	}
	return inv.Code
}

// pushCertificateUploaded gives a tenant without a push certificate one for the site's
// topic, as IT uploads it before inviting.
func (s *site) pushCertificateUploaded(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.platform.PushCertificate(ctx, s.tenant.ID); errors.Is(err, mdm.ErrNotFound) {
		certPEM, keyPEM, err := apnsfake.PushCertificate(s.topic, time.Now().AddDate(1, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.platform.SetPushCertificate(ctx, "admin:test", s.tenant.ID, certPEM, keyPEM); err != nil {
			t.Fatalf("push certificate: %v", err)
		}
	}
}

// devices returns the tenant's devices.
func (s *site) devices(t testing.TB) []mdm.Device {
	t.Helper()
	ds, err := s.svc.Devices(context.Background(), s.tenant, mdm.DeviceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// device returns the tenant's device with the ID.
func (s *site) device(t testing.TB, id string) mdm.Device {
	t.Helper()
	d, err := s.st.Devices().Device(context.Background(), s.tenant.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// snapshot describes everything a request could change: the rows of nanomdm's tables, the
// domain's devices, enrolment tokens and invitations, and the audit trail's head.
func (s *site) snapshot(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	for _, table := range []string{"ios_devices", "ios_users", "ios_enrollments", "ios_cert_auth", "ios_commands", "ios_queue",
		"enrolment_tokens", "pki_challenges"} {
		var n int
		if err := s.st.Tables().DB().Raw("SELECT COUNT(*) FROM " + table).Row().Scan(&n); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s=%d ", table, n)
	}
	var used int
	if err := s.st.Tables().DB().Raw("SELECT COUNT(*) FROM invitations WHERE used_at IS NOT NULL").Row().Scan(&used); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "used_invitations=%d ", used)
	for _, d := range s.devices(t) {
		fmt.Fprintf(&b, "device %s %s %q %s; ", d.ID, d.State, d.PlatformID, d.UpdatedAt)
	}
	head, err := store.TrailOf(s.st).AuditHead(context.Background(), s.tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "audit=%d", head.Seq)
	return b.String()
}

// auditActions returns the actions of the tenant's audit trail, in order.
func (s *site) auditActions(t testing.TB) []string {
	t.Helper()
	var actions []string
	err := store.TrailOf(s.st).AuditEvents(context.Background(), s.tenant.ID, 0, func(e audit.Event) error {
		actions = append(actions, string(e.Action))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return actions
}

// answer is a response with its body read.
type answer struct {
	*http.Response
	body []byte
}

// send does one request and reads the answer.
func send(t testing.TB, c *http.Client, req *http.Request) answer {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp, body}
}

func newRequest(t testing.TB, method, url string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// wantChallenge checks that a is the 401 that sends the phone to the sign-in page.
func (s *site) wantChallenge(t testing.TB, a answer) {
	t.Helper()
	if a.StatusCode != http.StatusUnauthorized {
		t.Fatalf("HTTP %d (%s), want 401", a.StatusCode, a.body)
	}
	want := `Bearer method="apple-as-web", url="` + s.url + ios.PathSignIn + `"`
	if got := a.Header.Get("WWW-Authenticate"); got != want {
		t.Errorf("WWW-Authenticate = %q, want %q", got, want)
	}
}

func urlQuery(s string) string { return url.QueryEscape(s) }

func mustURL(t testing.TB, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// serve runs one request through a handler in process, with a bearer token if given.
func serve(h http.Handler, req *http.Request, token string) *httptest.ResponseRecorder {
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// siteCertificates gives the site's domain service the site's CA, as serve wires it.
type siteCertificates struct{ s *site }

func (c siteCertificates) RevokeEnrolment(ctx context.Context, tenantID, enrolmentID, reason string) (int, error) {
	return c.s.ca.RevokeEnrolment(ctx, pki.Identity{TenantID: tenantID, EnrolmentID: enrolmentID}, pki.ReasonCessationOfOperation, reason)
}
