package ios_test

import (
	"context"
	"slices"
	"testing"

	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// declarativeOns counts the moves to declarative management in the tenant's audit trail.
func (s *site) declarativeOns(t testing.TB) int {
	t.Helper()
	n := 0
	for _, a := range s.auditActions(t) {
		if a == string(audit.AppleDeclarativeOn) {
			n++
		}
	}
	return n
}

// A simulated iPhone enrolled on iOS 16.7 gets its work apps by command. Updated to 17.4,
// it tells so in its answer to the daily status query and moves to declarative management:
// it is told to sync, fetches its set, and the app.managed declaration takes over the app
// that a command installed, without installing it again. No command removes or installs
// an app, the device page keeps both apps installed, the move is audited once, and
// applying the policy again sends the phone nothing.
func TestAnIPhoneUpdatedTo17MovesToDeclarativeManagementWithItsApps(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.pushing(t)
		policy := s.declarativePolicy(t)
		ph := s.enrolSimulatedIPhone(t, "16.7")
		wake := func(what string, done func() bool) {
			t.Helper()
			waitUntil(t, what, func() bool {
				if _, err := ph.Wake(ctx); err != nil {
					t.Fatal(err)
				}
				return done()
			})
		}
		wake("the phone installed its work apps", func() bool { return slices.Equal(ph.Apps(), slices.Sorted(slices.Values([]string{zeitApp, mailApp}))) })
		d := s.devices(t)[0]
		installed := func(when string) {
			t.Helper()
			apps := s.workApps(t, d)
			if apps[zeitApp].State != storage.AppInstalled || apps[mailApp].State != storage.AppInstalled || len(apps) != 2 {
				t.Fatalf("work apps %s: %+v", when, apps)
			}
		}
		installed("before the update")
		if s.declarativeOns(t) != 0 || ph.DDM().Syncs != 0 {
			t.Fatal("the phone on iOS 16.7 was moved to declarative management")
		}
		before, _ := ph.Commands()

		ph.SetOSVersion("17.4")
		if err := s.platform.QueryStatus(ctx, ios.StatusQueryJob{}); err != nil {
			t.Fatal(err)
		}
		wake("the phone synced its declarations", func() bool { return ph.DDM().Syncs >= 1 })
		if c := ph.DDM(); c.AppsTransferred != 1 || c.AppsInstalled != 0 {
			t.Errorf("counters %+v, want the work app taken over, not installed again", c)
		}
		// The status query's two commands and the sync; no app was removed or installed.
		if after, _ := ph.Commands(); after-before != 3 {
			t.Errorf("the move took %d commands, want 3 (DeviceInformation, SecurityInfo, DeclarativeManagement)", after-before)
		}
		if d = s.device(t, d.ID); d.OSVersion != "17.4" {
			t.Errorf("OS version %q after the update", d.OSVersion)
		}
		installed("after the move")
		if n := s.declarativeOns(t); n != 1 {
			t.Errorf("the move was audited %d times, want once", n)
		}

		if err := s.platform.ApplyPolicy(ctx, s.tenant, policy); err != nil {
			t.Fatal(err)
		}
		if _, err := ph.Wake(ctx); err != nil {
			t.Fatal(err)
		}
		if again, _ := ph.Commands(); again-before != 3 {
			t.Errorf("applying the policy again sent the moved phone %d commands", again-before-3)
		}
		installed("after the policy was applied again")
	})
}

// A phone that tells iOS 17.1 stays on MDM commands; one that tells 17.4 moves, and telling
// it again (a repeated answer, a later query) moves it no second time.
func TestOnlyAnIPhoneOn17Point2MovesAndOnlyOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		s.pushing(t)
		s.declarativePolicy(t)
		p := s.enrolledOn(t, "erika", "16.7")
		// The job queues one command per app, one after the other: on a busy machine the
		// phone may have answered the first before the second is queued.
		installs := 0
		for installs < 2 {
			for cmd := p.waitCommand(t); cmd != nil; cmd = p.next(t, "Acknowledged", cmd.CommandUUID) {
				if cmd.Command.RequestType != "InstallApplication" {
					t.Fatalf("got %s on iOS 16.7", cmd.Command.RequestType)
				}
				installs++
			}
		}
		if installs != 2 {
			t.Fatalf("%d apps installed by command, want 2", installs)
		}
		tell := func(version string) string {
			t.Helper()
			msg := map[string]any{"EnrollmentID": p.enrollmentID, "Status": "Acknowledged", "CommandUUID": "status-" + mdm.NewID(),
				"QueryResponses": map[string]any{"OSVersion": version}}
			if _, cmd := p.reportMessage(t, msg); cmd != nil {
				return cmd.Command.RequestType
			}
			return ""
		}
		if got := tell("17.1"); got != "" || s.declarativeOns(t) != 0 {
			t.Fatalf("the phone on 17.1 got %q and %d moves", got, s.declarativeOns(t))
		}
		tell("17.4")
		if cmd := p.waitCommand(t); cmd.Command.RequestType != "DeclarativeManagement" {
			t.Fatalf("the phone on 17.4 got %s, want DeclarativeManagement", cmd.Command.RequestType)
		} else if next := p.next(t, "Acknowledged", cmd.CommandUUID); next != nil {
			t.Fatalf("after the sync command: %s", next.Command.RequestType)
		}
		if got := tell("17.4"); got != "" {
			t.Errorf("telling 17.4 again sent %s", got)
		}
		if n := s.declarativeOns(t); n != 1 {
			t.Errorf("%d moves audited, want 1", n)
		}
	})
}
