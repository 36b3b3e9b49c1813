package ios_test

import (
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/ios/apnsfake"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/jobs"
)

// pushCertificate makes a certificate shaped like Apple's MDM push certificate for the
// topic, valid until notAfter, and its key, both PEM.
func pushCertificate(t testing.TB, topic string, notAfter time.Time) (certPEM, keyPEM []byte) {
	t.Helper()
	certPEM, keyPEM, err := apnsfake.PushCertificate(topic, notAfter)
	if err != nil {
		t.Fatal(err)
	}
	return certPEM, keyPEM
}

// withAPNs gives the site a push certificate and a fake APNs, and returns the fake.
func (s *site) withAPNs(t testing.TB) *apnsfake.Server {
	t.Helper()
	certPEM, keyPEM := pushCertificate(t, testTopic, time.Now().Add(300*24*time.Hour))
	if _, err := s.platform.SetPushCertificate(context.Background(), "admin:test", s.tenant.ID, certPEM, keyPEM); err != nil {
		t.Fatal(err)
	}
	fake := apnsfake.Start()
	t.Cleanup(fake.Close)
	return fake
}

// pushing gives the site a push certificate, a fake APNs and a running job queue with the
// pusher and the domain's platform jobs, and returns the fake.
func (s *site) pushing(t testing.TB) *apnsfake.Server {
	t.Helper()
	ctx := context.Background()
	fake := s.withAPNs(t)
	pusher := ios.NewPusher(s.nano, s.st, ios.PusherConfig{URL: fake.URL(), Roots: fake.Roots(), RetryPause: 10 * time.Millisecond})
	q := jobs.New(s.st.JobDriver(), nil, jobs.Config{Poll: 20 * time.Millisecond})
	jobs.Handle(q, pusher.Work)
	if s.licences != nil {
		s.lic.HandleJobs(q)
	}
	// The domain's platform jobs (policies, commands) go to the platform too.
	d := mdm.NewDispatcher(s.svc.Service, s.platform)
	jobs.Handle(q, d.ApplyPolicy)
	jobs.Handle(q, d.DeliverCommand)
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = q.Stop(ctx)
	})
	return fake
}

// command queues a harmless command for the phones through the platform's guard.
func (s *site) command(t testing.TB, phones ...*phone) {
	t.Helper()
	cmd := newCommand(t, "ManagedApplicationList")
	ids := make([]string, len(phones))
	for i, p := range phones {
		ids[i] = p.enrollmentID
	}
	if idErrs, err := s.platform.Enqueue(context.Background(), ids, cmd); err != nil || len(idErrs) > 0 {
		t.Fatalf("enqueue: %v %v", idErrs, err)
	}
}

func waitUntil(t testing.TB, what string, ok func() bool) {
	t.Helper()
	// Generous: on a busy machine the job queue's workers may be slow to get a turn, and a
	// job that failed once is tried again only after the queue's back-off (1 s, then 16 s,
	// then 81 s).
	deadline := time.Now().Add(2 * time.Minute)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAQueuedCommandWakesThePhoneThroughAPNs(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		fake := s.pushing(t)
		p := s.enrolled(t, "erika")
		s.command(t, p)
		waitUntil(t, "APNs got the push", func() bool { return fake.Count() == 1 })
		got := fake.Pushes()[0]
		if got.Token != hex.EncodeToString(p.pushToken) || got.Topic != testTopic || got.Type != "mdm" || got.Payload["mdm"] != p.pushMagic {
			t.Fatalf("push %+v, want token %x, topic %s, type mdm and the phone's push magic %s", got, p.pushToken, testTopic, p.pushMagic)
		}
		// Woken, the phone fetches the command.
		if status, cmd := p.report(t, "Idle", ""); status != http.StatusOK || cmd == nil || cmd.Command.RequestType != "ManagedApplicationList" {
			t.Fatalf("after the push the phone got HTTP %d, %v", status, cmd)
		}
	})
}

func TestPushesAPNsDidNotTakeAreTriedAgain(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		fake := s.pushing(t)
		busy, gone := s.enrolled(t, "busy"), s.enrolled(t, "gone")
		fake.Fail(hex.EncodeToString(busy.pushToken), http.StatusServiceUnavailable, "ServiceUnavailable", 2)
		fake.Fail(hex.EncodeToString(gone.pushToken), http.StatusGone, "Unregistered", -1)
		s.command(t, busy, gone)
		waitUntil(t, "the busy phone's push got through", func() bool { return fake.Count() == 1 })
		time.Sleep(200 * time.Millisecond)
		if n := fake.Count(); n != 1 || fake.Pushes()[0].Token != hex.EncodeToString(busy.pushToken) {
			t.Fatalf("APNs took %d pushes (%+v); want only the busy phone's, once", n, fake.Pushes())
		}
	})
}

func TestTenDozenPhonesAreWokenByOneCommand(t *testing.T) {
	s := newSite(t, "sqlite")
	fake := s.pushing(t)
	phones := make([]*phone, 12)
	for i := range phones {
		phones[i] = s.enrolled(t, "p"+string(rune('a'+i)))
	}
	s.command(t, phones...)
	waitUntil(t, "every phone was pushed", func() bool { return fake.Count() == len(phones) })
}

func TestThePushCertificateIsChecked(t *testing.T) {
	s := newSite(t, "sqlite")
	ctx := context.Background()
	good, goodKey := pushCertificate(t, testTopic, time.Now().Add(20*24*time.Hour))
	_, otherKey := pushCertificate(t, testTopic, time.Now().Add(90*24*time.Hour))
	expired, expiredKey := pushCertificate(t, testTopic, time.Now().Add(-time.Hour))
	notMDM, notMDMKey := pushCertificate(t, "com.example.app", time.Now().Add(90*24*time.Hour))
	for name, c := range map[string]struct{ cert, key []byte }{
		"not PEM":       {[]byte("MIIB…"), goodKey},
		"not for MDM":   {notMDM, notMDMKey},
		"expired":       {expired, expiredKey},
		"someone's key": {good, otherKey},
		"no key":        {good, nil},
	} {
		t.Run(name, func(t *testing.T) {
			before := s.snapshot(t)
			if _, err := s.platform.SetPushCertificate(ctx, "admin:test", s.tenant.ID, c.cert, c.key); !errors.Is(err, mdm.ErrInvalid) {
				t.Fatalf("SetPushCertificate = %v, want ErrInvalid", err)
			}
			if _, err := s.platform.PushCertificate(ctx, s.tenant.ID); !errors.Is(err, mdm.ErrNotFound) {
				t.Fatalf("a refused certificate was stored: %v", err)
			}
			if after := s.snapshot(t); after != before {
				t.Fatalf("a refused certificate changed the installation:\n%s\n%s", before, after)
			}
		})
	}
	got, err := s.platform.SetPushCertificate(ctx, "admin:test", s.tenant.ID, good, goodKey)
	if err != nil {
		t.Fatal(err)
	}
	if got.Topic != testTopic || !got.Expiring || got.Expired {
		t.Fatalf("stored %+v; want the topic, flagged as expiring within 30 days", got)
	}
	actions := s.auditActions(t)
	if actions[len(actions)-1] != "apple.push_certificate.set" {
		t.Fatalf("audit trail ends with %v", actions)
	}
}

func TestEnrolmentProfilesNameTheTenantsPushTopic(t *testing.T) {
	s := newSite(t, "sqlite")
	own := "com.apple.mgmt.External.11111111-2222-3333-4444-555555555555"
	certPEM, keyPEM := pushCertificate(t, own, time.Now().Add(300*24*time.Hour))
	if _, err := s.platform.SetPushCertificate(context.Background(), "admin:test", s.tenant.ID, certPEM, keyPEM); err != nil {
		t.Fatal(err)
	}
	p := s.newPhone("anna@musterstadt.example")
	p.takeToken(t, p.signIn(t, s.invite(t, "anna@mail.musterstadt.example", "anna@musterstadt.example", "ios")))
	// parseProfile checks every key of the profile, the topic against s.topic.
	s.topic = own
	parseProfile(t, s, "anna@musterstadt.example", p.postEnrol(t, p.baseURL(t)))
}
