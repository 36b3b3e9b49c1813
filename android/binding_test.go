package android_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// victim binds the test tenant to an enterprise with a work policy sent and a phone
// enrolled, and returns the enterprise's name.
func (s *site) victim(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	b := s.bind(t)
	wp := mdm.WorkPolicy{ID: mdm.NewID(), Name: "Verwaltung", Version: 1, Default: true, WorkPasscodeRequired: true}
	if err := store.WorkPoliciesOf(s.st).CreateWorkPolicy(ctx, s.tenant.ID, &wp); err != nil {
		t.Fatal(err)
	}
	if err := s.platform.ApplyPolicy(ctx, s.tenant, wp); err != nil {
		t.Fatal(err)
	}
	s.active(t, "erika.mustermann@musterstadt.de")
	return b.Enterprise
}

// stillWorks checks that the victim's binding and its push endpoint are untouched: the
// tenant still names the enterprise, and a new phone's enrolment still arrives.
func (s *site) stillWorks(t *testing.T, enterprise string) {
	t.Helper()
	if b, err := s.platform.CurrentBinding(context.Background(), s.tenant.ID); err != nil || b.Enterprise != enterprise || b.Topic != testTopic {
		t.Errorf("the victim's binding: %+v, %v", b, err)
	}
	if d, _ := s.active(t, "max@musterstadt.de"); d.State != mdm.DeviceActive {
		t.Errorf("the victim's next enrolment did not arrive: %s", d.State)
	}
}

// Tenant B's administrator names tenant A's enterprise: refused as a conflict before any
// call to Google, so A's topic, policies and devices at Google are exactly as before, B is
// bound to nothing, and A's notifications still arrive.
func TestBindingAnotherTenantsEnterpriseIsRefused(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		victim := s.victim(t)
		attacker := storetest.Tenant(t, s.svc, "beispielheim")
		before, patches := s.fake.Snapshot(), s.fake.Calls("enterprises.patch")+s.fake.Calls("policies.patch")

		_, err := s.platform.Bind(ctx, "admin:attacker", attacker, victim, "projects/trennwand-test/topics/attacker")
		if !errors.Is(err, mdm.ErrConflict) {
			t.Fatalf("binding another tenant's enterprise: %v, want a conflict", err)
		}
		if after := s.fake.Snapshot(); after != before {
			t.Errorf("Google's state changed:\nbefore %s\nafter  %s", before, after)
		}
		if n := s.fake.Calls("enterprises.patch") + s.fake.Calls("policies.patch"); n != patches {
			t.Errorf("%d changes reached Google", n-patches)
		}
		if _, err := s.platform.CurrentBinding(ctx, attacker.ID); !errors.Is(err, android.ErrNotBound) {
			t.Errorf("the attacker's binding: %v, want none", err)
		}
		s.stillWorks(t, victim)

		// The attacker can still bind an enterprise of its own.
		own := s.fake.CreateEnterprise("Beispielheim")
		if _, err := s.platform.Bind(ctx, "admin:attacker", attacker, own, "projects/trennwand-test/topics/beispielheim"); err != nil {
			t.Errorf("binding its own enterprise: %v", err)
		}
	})
}

// Two tenants bind the same unbound enterprise at once: one wins, the other is refused,
// and the enterprise's topic at Google is the winner's.
func TestRacingBindsOfOneEnterprise(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		name := s.fake.CreateEnterprise("Umstritten")
		tenants := []mdm.Tenant{storetest.Tenant(t, s.svc, "ort-a"), storetest.Tenant(t, s.svc, "ort-b")}
		topics := []string{"projects/trennwand-test/topics/ort-a", "projects/trennwand-test/topics/ort-b"}
		errs := make([]error, len(tenants))
		var wg sync.WaitGroup
		for i := range tenants {
			wg.Go(func() { _, errs[i] = s.platform.Bind(ctx, "admin:test", tenants[i], name, topics[i]) })
		}
		wg.Wait()
		winners := 0
		for i, err := range errs {
			switch {
			case err == nil:
				winners++
				if e, _ := s.fake.Enterprise(name); e.PubsubTopic != topics[i] {
					t.Errorf("the enterprise's topic is %s, want the winner's %s", e.PubsubTopic, topics[i])
				}
			case !errors.Is(err, mdm.ErrConflict):
				t.Errorf("the loser: %v, want a conflict", err)
			}
		}
		if winners != 1 {
			t.Errorf("%d tenants bound the enterprise, want 1: %v", winners, errs)
		}
	})
}

// A sign-up whose enterprise turns out to be another tenant's is refused the same way: the
// callback answers 409 and nothing at Google changes.
func TestSignupCannotTakeOverAnotherTenantsEnterprise(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		victim := s.victim(t)
		attacker := storetest.Tenant(t, s.svc, "beispielheim")
		signupURL, err := s.platform.StartSignup(ctx, "admin:attacker", attacker)
		if err != nil {
			t.Fatal(err)
		}
		callback, ok := s.fake.CompleteSignupInto(signupURL, victim)
		if !ok {
			t.Fatal("the fake does not know the sign-up page")
		}
		before := s.fake.Snapshot()
		u, _ := url.Parse(callback)
		resp, err := s.push.Client().Get(s.push.URL + u.Path + "?" + u.RawQuery)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusConflict {
			t.Errorf("callback: %d, want 409", resp.StatusCode)
		}
		if after := s.fake.Snapshot(); after != before {
			t.Errorf("Google's state changed:\nbefore %s\nafter  %s", before, after)
		}
		if _, err := s.platform.CurrentBinding(ctx, attacker.ID); !errors.Is(err, android.ErrNotBound) {
			t.Errorf("the attacker's binding: %v, want none", err)
		}
		s.stillWorks(t, victim)
	})
}
