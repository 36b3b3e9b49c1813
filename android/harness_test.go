package android_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/android/amapifake"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// testTopic is the Pub/Sub topic the test tenant's notifications go to.
const testTopic = "projects/trennwand-test/topics/trennwand-musterstadt"

// site is one installation with its Android platform, Google's Go client talking to the
// AMAPI fake, and the platform's endpoints behind an HTTP server that the fake pushes to.
type site struct {
	st       *store.Store
	svc      *domain.Services
	certs    *revocations
	fake     *amapifake.Fake
	platform *android.Platform
	push     *httptest.Server // the platform's handler
	amapi    string           // the fake's base URL
	tenant   mdm.Tenant
	// ahead is how far the domain's clock runs ahead of the real one; tests move it with
	// pass.
	ahead *atomic.Int64
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

func newSite(t testing.TB, backend string) *site {
	t.Helper()
	st := storetest.Open(t, backend, store.WithMigrations(store.MigrationSource{Name: "android", FS: android.Migrations()}))
	return newSiteOn(t, st, android.Config{})
}

// newSiteOn is newSite on a store opened already, with cfg's challenges.
func newSiteOn(t testing.TB, st *store.Store, cfg android.Config) *site {
	t.Helper()
	certs := &revocations{}
	ahead := new(atomic.Int64)
	svc := domain.New(st, storetest.PlainSealer{}, mdm.WithCertificates(certs), mdm.WithPlatforms(android.Registration()),
		mdm.WithClock(func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }))
	fake := amapifake.New()
	api := httptest.NewServer(fake.Handler())
	t.Cleanup(api.Close)
	client, err := android.NewClient(context.Background(), android.ClientConfig{
		Endpoint: api.URL + "/", HTTPClient: api.Client(), ProjectID: "trennwand-test",
	})
	if err != nil {
		t.Fatal(err)
	}
	public, _ := url.Parse("https://mdm.musterstadt.example")
	cfg.PublicURL = public
	p := android.New(svc, st.Tables(), client, cfg)
	push := httptest.NewServer(p.Handler())
	t.Cleanup(push.Close)
	return &site{st: st, svc: svc, certs: certs, fake: fake, platform: p, push: push, amapi: api.URL + "/",
		tenant: storetest.Tenant(t, svc, "musterstadt"), ahead: ahead}
}

// bind binds the tenant to a new enterprise of the fake and subscribes the platform's push
// endpoint to the topic, as the operator does with the printed push URL.
func (s *site) bind(t testing.TB) android.Binding {
	t.Helper()
	name := s.fake.CreateEnterprise("Stadt Musterstadt")
	b, err := s.platform.Bind(context.Background(), "admin:test", s.tenant, name, testTopic)
	if err != nil {
		t.Fatalf("bind: %v", err)
	}
	s.fake.Subscribe(testTopic, s.localPushURL(t, b.PushURL), s.push.Client())
	return b
}

// localPushURL is the push URL with the test server in place of the public host.
func (s *site) localPushURL(t testing.TB, pushURL string) string {
	t.Helper()
	u, err := url.Parse(pushURL)
	if err != nil {
		t.Fatal(err)
	}
	return s.push.URL + u.Path + "?" + u.RawQuery
}

// invite invites an employee to enrol an Android phone and redeems the invitation on the
// portal: the device in state invited.
func (s *site) invite(t testing.TB, email string) mdm.Device {
	t.Helper()
	return s.inviteOwned(t, email, mdm.OwnershipPersonal)
}

// inviteOwned is invite for a phone of the ownership.
func (s *site) inviteOwned(t testing.TB, email string, o mdm.Ownership) mdm.Device {
	t.Helper()
	ctx := context.Background()
	inv, err := s.svc.Enrolment.Invite(ctx, "admin:test", s.tenant, enrolment.InviteRequest{Email: email, Platform: mdm.PlatformAndroid, Ownership: o})
	if err != nil {
		t.Fatal(err)
	}
	started, err := s.svc.Enrolment.StartEnrolment(ctx, enrolment.EnrolmentRequest{Code: inv.Code, Platform: mdm.PlatformAndroid})
	if err != nil {
		t.Fatal(err)
	}
	if started.Device.Ownership != o {
		t.Fatalf("the device of a %s invitation is %s", o, started.Device.Ownership)
	}
	return started.Device
}

// enrol takes an invited device through the portal's step and the phone's setup; it
// returns the device as AMAPI knows it.
func (s *site) enrol(t testing.TB, d mdm.Device) amapi.Device {
	t.Helper()
	ctx := context.Background()
	step, err := s.platform.EnrolmentStep(ctx, s.tenant, d)
	if err != nil {
		t.Fatalf("enrolment step: %v", err)
	}
	token, ok := strings.CutPrefix(step.URL, android.EnrolURL+"?et=")
	if !ok {
		t.Fatalf("enrolment link %q", step.URL)
	}
	phone, err := s.fake.Enrol(ctx, token)
	if err != nil {
		t.Fatalf("enrol: %v", err)
	}
	return phone
}

// device returns the domain's device.
func (s *site) device(t testing.TB, id string) mdm.Device {
	t.Helper()
	d, err := s.st.Devices().Device(context.Background(), s.tenant.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// revocations plays the CA: it counts the enrolments whose certificates were revoked.
type revocations struct {
	mu      sync.Mutex
	revoked []string
}

func (r *revocations) RevokeEnrolment(_ context.Context, _, enrolmentID, _ string) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.revoked = append(r.revoked, enrolmentID)
	return 1, nil
}

// active invites an employee and enrols the phone: the device as the domain has it then,
// and the phone as AMAPI knows it.
func (s *site) active(t testing.TB, email string) (mdm.Device, amapi.Device) {
	t.Helper()
	d := s.invite(t, email)
	phone := s.enrol(t, d)
	return s.device(t, d.ID), phone
}

// auditCount returns how many audit events the tenant has.
func (s *site) auditCount(t testing.TB) int {
	t.Helper()
	head, err := store.TrailOf(s.st).AuditHead(context.Background(), s.tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	return int(head.Seq)
}
