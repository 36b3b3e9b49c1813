package ios_test

import (
	"context"
	"testing"

	"github.com/trennwand/trennwand/ios/phonesim"
	"github.com/trennwand/trennwand/mdm"
)

// The project's phone simulator, which takes each declaration as iOS would (checked
// against Apple's schema for User Enrolment), enrols on iOS 18.1 and applies every
// declaration it is sent; its status reports move the verdict: a passcode that stops
// meeting the rules makes the device non-compliant with that one report, and the next
// one makes it compliant again. When an app joins the policy, the phone fetches the new
// app's declaration and the activation, nothing else.
func TestASimulatedIPhoneIsManagedDeclaratively(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.pushing(t)
		policy := s.declarativePolicy(t)
		ph := s.enrolSimulatedIPhone(t, "18.1")
		wake := func(syncs int) {
			t.Helper()
			waitUntil(t, "the phone synced its declarations", func() bool {
				if _, err := ph.Wake(ctx); err != nil {
					t.Fatal(err)
				}
				return ph.DDM().Syncs >= syncs
			})
		}
		wake(1)
		for _, d := range ph.Declarations() {
			if !d.Active || !d.Valid {
				t.Errorf("the phone did not apply %s %s: %v", d.Kind, d.Identifier, d.Reasons)
			}
		}
		d := s.devices(t)[0]
		verdict := func(want mdm.Compliance) {
			t.Helper()
			if got := s.device(t, d.ID).Compliance; got != want {
				t.Fatalf("compliance %s, want %s", got, want)
			}
		}
		verdict(mdm.ComplianceCompliant)
		if err := ph.SetPasscodeCompliant(ctx, false); err != nil {
			t.Fatal(err)
		}
		verdict(mdm.ComplianceNonCompliant)
		if err := ph.SetPasscodeCompliant(ctx, true); err != nil {
			t.Fatal(err)
		}
		verdict(mdm.ComplianceCompliant)

		policy.Apps = append(policy.Apps, mdm.AppAssignment{Platform: mdm.PlatformIOS, AppID: "de.musterstadt.kalender", InstallType: mdm.InstallRequired})
		if _, err := s.svc.WorkPolicy.UpdateWorkPolicy(ctx, "admin:test", s.tenant, policy); err != nil {
			t.Fatal(err)
		}
		wake(2)
		if n := ph.DDM().LastFetched; n != 2 {
			t.Errorf("after an app joined the phone fetched %d declarations, want 2 (the app and the activation)", n)
		}
	})
}

// enrolSimulatedIPhone invites Simone and enrols her simulated iPhone, which reports the
// OS version.
func (s *site) enrolSimulatedIPhone(t *testing.T, osVersion string) *phonesim.Phone {
	t.Helper()
	const account = "simone@musterstadt.example"
	code := s.invite(t, "simone@mail.musterstadt.example", account, mdm.PlatformIOS)
	ph := phonesim.New(phonesim.Config{Server: s.url, Client: s.client(), OSVersion: osVersion}, account)
	if err := ph.Enrol(context.Background(), code); err != nil {
		t.Fatal(err)
	}
	return ph
}
