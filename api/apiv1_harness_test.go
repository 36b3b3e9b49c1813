package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/api"
	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/pki"
	"github.com/trennwand/trennwand/ui/dashboard"
)

// apiWorld is a server with the JSON API on a fresh database: the tenant musterstadt, whose
// tokens the tests call with, and the tenant nachbarort, whose rows they must never reach.
type apiWorld struct {
	t      testing.TB
	srv    *api.Server
	store  *store.Store
	svc    *domain.Services
	tenant mdm.Tenant
	other  mdm.Tenant
	tokens map[mdm.Role]string // one per role; the provider's belongs to no tenant
	certs  *fakeLookup         // the device certificates the conditional-access routes know
	// apple and android are the platforms' tenant settings that the API and the dashboard
	// share.
	apple   *fakeApple
	android *fakeAndroid
	// ahead is how far the domain's clock runs ahead of the real one.
	ahead *atomic.Int64
	play  *fakePlay // managed Google Play of the API's routes
	// licensing is Apple's Apps and Books of the API and the dashboard.
	licensing *fakeLicensing
	// abm is Automated Device Enrollment of the API and the dashboard: a fake, or the
	// real service a test puts into it.
	abm *fakeABM
}

// fakeCertificates stands in for the CA: every enrolment has one certificate to revoke.
type fakeCertificates struct{}

func (fakeCertificates) RevokeEnrolment(context.Context, string, string, string) (int, error) {
	return 1, nil
}

func newAPIWorld(t testing.TB, s *store.Store, configure ...func(*api.Config)) *apiWorld {
	t.Helper()
	return newAPIWorldOf(t, s, []mdm.Registration{setUp(ios.Registration()), setUp(android.Registration())}, configure...)
}

// setUp is the platform's registration as in a tenant that has set it up: these worlds
// test what comes after, and their stores need not hold the platforms' tables (so the
// platform keeps no work apps, declaration states or reported certificates to read either).
func setUp(r mdm.Registration) mdm.Registration {
	r.Setup, r.WorkApps, r.Declarations, r.Certificates = nil, nil, nil, nil
	return r
}

// newAPIWorldOf is an apiWorld whose domain registers the platforms regs.
func newAPIWorldOf(t testing.TB, s *store.Store, regs []mdm.Registration, configure ...func(*api.Config)) *apiWorld {
	t.Helper()
	ctx := context.Background()
	ahead := new(atomic.Int64)
	svc := domain.New(s, storetest.PlainSealer{}, mdm.WithCertificates(fakeCertificates{}), mdm.WithPlatforms(regs...),
		mdm.WithClock(func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }))
	w := &apiWorld{t: t, store: s, svc: svc, tokens: map[mdm.Role]string{}, ahead: ahead}
	w.tenant = storetest.Tenant(t, svc, "musterstadt")
	w.other = storetest.Tenant(t, svc, "nachbarort")
	for _, r := range mdm.Roles {
		_, secret, err := svc.Access.CreateToken(ctx, "test", &w.tenant, access.TokenRequest{Name: string(r), Role: r})
		if err != nil {
			t.Fatal(err)
		}
		w.tokens[r] = secret
	}
	_, secret, err := svc.Access.CreateToken(ctx, "test", nil, access.TokenRequest{Name: "provider", Role: mdm.RoleProvider})
	if err != nil {
		t.Fatal(err)
	}
	w.tokens[mdm.RoleProvider] = secret
	_, secret, err = svc.Access.CreateToken(ctx, "test", &w.tenant, access.TokenRequest{Name: "gateway", Role: mdm.RoleGateway})
	if err != nil {
		t.Fatal(err)
	}
	w.tokens[mdm.RoleGateway] = secret
	w.certs = &fakeLookup{issued: map[string]pki.CertificateInfo{}}
	public, _ := url.Parse("https://mdm.musterstadt.example")
	licensing := newFakeLicensing()
	w.licensing = licensing
	w.abm = &fakeABM{}
	cfg := api.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: prometheus.NewRegistry(),
		Ready: func(context.Context) error { return nil }}
	for _, c := range configure {
		c(&cfg)
	}
	w.srv = api.New(cfg)
	w.apple, w.android, w.play = newFakeApple(), newFakeAndroid(), newFakePlay()
	keys := &fakeCertificateKeys{store: s, allowed: map[string]string{}}
	if err := w.srv.MountAPI(api.APIConfig{Service: svc, PublicURL: public, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Licensing: licensing, AppleBusinessManager: w.abm, Certificates: w.certs, Apple: w.apple, Android: w.android, CertificateKeys: keys, AuditSigner: testAuditSigner, Play: w.play,
		Drivers: provisioners}); err != nil {
		t.Fatal(err)
	}
	d, err := dashboard.New(dashboard.Config{Service: svc, PublicURL: public, Licensing: licensing, AppleBusinessManager: w.abm, Apple: w.apple, Android: w.android,
		CertificateKeys: keys, AuditSigner: testAuditSigner, SSOCheck: w.srv.SSOCheck(), Drivers: provisioners})
	if err != nil {
		t.Fatal(err)
	}
	w.srv.MountDashboard(svc, d)
	return w
}

// call sends one request to the API with the token (none when empty) and returns the
// status and body.
func (w *apiWorld) call(method, path, token, body string) (int, string) {
	w.t.Helper()
	return w.send(method, path, token, "application/json", body)
}

// send is call with a body of the content type.
func (w *apiWorld) send(method, path, token, contentType, body string) (int, string) {
	w.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if body != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	w.srv.Echo().ServeHTTP(rec, req)
	w.checkAnswer(req, rec)
	return rec.Code, rec.Body.String()
}

// employee creates an employee of the tenant.
func (w *apiWorld) employee(tn mdm.Tenant) mdm.Employee {
	w.t.Helper()
	e := mdm.Employee{ID: mdm.NewID(), Email: mdm.NewID() + "@example.org", Name: "Erika Muster", CreatedAt: time.Now().UTC()}
	if err := store.EnrolmentOf(w.store).CreateEmployee(context.Background(), tn.ID, &e); err != nil {
		w.t.Fatal(err)
	}
	return e
}

// device creates an active device of a new employee of the tenant.
func (w *apiWorld) device(tn mdm.Tenant) mdm.Device {
	w.t.Helper()
	return w.ownedDevice(tn, mdm.OwnershipPersonal)
}

// ownedDevice creates an active Android device of the tenant and the ownership.
func (w *apiWorld) ownedDevice(tn mdm.Tenant, o mdm.Ownership) mdm.Device {
	w.t.Helper()
	return w.deviceIn(tn, o, mdm.DeviceActive)
}

// deviceIn creates an Android device of the tenant and the ownership in the state.
func (w *apiWorld) deviceIn(tn mdm.Tenant, o mdm.Ownership, state mdm.DeviceState) mdm.Device {
	w.t.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	d := mdm.Device{ID: mdm.NewID(), EmployeeID: w.employee(tn).ID, Platform: mdm.PlatformAndroid, Ownership: o, State: state,
		Compliance: mdm.ComplianceCompliant, OSVersion: "15", CreatedAt: now, UpdatedAt: now}
	if err := w.store.Devices().CreateDevice(context.Background(), tn.ID, &d); err != nil {
		w.t.Fatal(err)
	}
	return d
}

// invitation creates a pending invitation of the tenant.
func (w *apiWorld) invitation(tn mdm.Tenant) mdm.Invitation {
	w.t.Helper()
	inv, err := w.svc.Enrolment.Invite(context.Background(), "test", tn, enrolment.InviteRequest{Email: mdm.NewID() + "@example.org"})
	if err != nil {
		w.t.Fatal(err)
	}
	return inv.Invitation
}

// policy creates a work policy of the tenant, at version 1.
func (w *apiWorld) policy(tn mdm.Tenant) mdm.WorkPolicy {
	w.t.Helper()
	p, err := w.svc.WorkPolicy.CreateWorkPolicy(context.Background(), "test", tn, mdm.WorkPolicy{Name: "Policy " + mdm.NewID()})
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

// token creates a helpdesk token of the tenant.
func (w *apiWorld) token(tn mdm.Tenant) access.APIToken {
	w.t.Helper()
	tok, _, err := w.svc.Access.CreateToken(context.Background(), "test", &tn, access.TokenRequest{Role: mdm.RoleHelpdesk})
	if err != nil {
		w.t.Fatal(err)
	}
	return tok
}

// provisioner plays a platform's driver as far as the code of an invited company-owned
// phone goes.
type provisioner struct{ mdm.Driver }

func (provisioner) Platform() mdm.Platform { return mdm.PlatformAndroid }

func (provisioner) EnrolmentStep(_ context.Context, _ mdm.Tenant, d mdm.Device) (mdm.EnrolmentStep, error) {
	return mdm.EnrolmentStep{QRCode: `{"android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE":{"com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN":"TOKEN-` + d.ID + `"}}`}, nil
}

// provisioners are the drivers of the worlds' consoles.
var provisioners = map[mdm.Platform]mdm.Driver{mdm.PlatformAndroid: provisioner{}}
