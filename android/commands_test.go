package android_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/mdm"
)

// Commands that only company-owned devices know never leave the platform: they are
// refused before any call to Google.
func TestCompanyOwnedCommandsAreRefused(t *testing.T) {
	s := newSite(t, "sqlite")
	s.bind(t)
	d, _ := s.active(t, "max@musterstadt.de")
	ctx := context.Background()
	refused := []*amapi.Command{
		{Type: "REBOOT"}, {Type: "RELINQUISH_OWNERSHIP"}, {Type: "START_LOST_MODE"}, {Type: "STOP_LOST_MODE"},
		{Type: "ADD_ESIM"}, {Type: "REMOVE_ESIM"}, {Type: "REQUEST_DEVICE_INFO"}, {Type: "CLEAR_APP_DATA"},
		{Type: "WIPE", WipeParams: &amapi.WipeParams{WipeDataFlags: []string{"WIPE_EXTERNAL_STORAGE"}}},
	}
	for _, c := range refused {
		if err := s.platform.Issue(ctx, s.tenant, d, "c1", c); !errors.Is(err, mdm.ErrInvalid) {
			t.Errorf("%s: got %v, want a refusal", c.Type, err)
		}
	}
	for _, kind := range []mdm.CommandKind{mdm.CommandInstallApp, mdm.CommandQueryWorkApps} {
		c, err := queueCommand(t, s, d, kind)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.platform.SendCommand(ctx, s.tenant, d, c); !errors.Is(err, mdm.ErrInvalid) {
			t.Errorf("%s: got %v", kind, err)
		}
		if got := command(t, s, d.ID, c.ID); got.State != mdm.CommandError {
			t.Errorf("%s is %s, want error", kind, got.State)
		}
	}
	if n := s.fake.Calls("devices.issueCommand"); n != 0 {
		t.Errorf("%d refused commands reached Google", n)
	}
}

// A command that Google refuses fails with the reason; one that meets a temporary failure
// stays queued for the job queue to send again.
func TestCommandFailures(t *testing.T) {
	s := newSite(t, "sqlite")
	s.bind(t)
	d := s.lockable(t, "max@musterstadt.de")
	ctx := context.Background()

	lock, _ := queueCommand(t, s, d, mdm.CommandLockWork)
	s.fake.Fail("devices.issueCommand", http.StatusTooManyRequests)
	if err := s.platform.SendCommand(ctx, s.tenant, d, lock); !android.Temporary(err) {
		t.Fatalf("429: %v", err)
	}
	if got := command(t, s, d.ID, lock.ID); got.State != mdm.CommandQueued {
		t.Errorf("after 429 the command is %s", got.State)
	}
	if err := s.platform.SendCommand(ctx, s.tenant, d, lock); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if got := command(t, s, d.ID, lock.ID); got.State != mdm.CommandSent {
		t.Errorf("after the retry the command is %s", got.State)
	}

	reset, _ := queueCommand(t, s, d, mdm.CommandResetWorkPasscode)
	s.fake.Fail("devices.issueCommand", http.StatusNotFound)
	if err := s.platform.SendCommand(ctx, s.tenant, d, reset); err == nil || android.Temporary(err) {
		t.Fatalf("404: %v", err)
	}
	if got := command(t, s, d.ID, reset.ID); got.State != mdm.CommandError || got.Error == "" {
		t.Errorf("after 404 the command is %s (%q)", got.State, got.Error)
	}
}

// lockable makes the tenant's default work policy one that requires a separate work
// passcode, and enrols a phone under it that has set the passcode.
func (s *site) lockable(t *testing.T, email string) mdm.Device {
	t.Helper()
	if _, err := s.svc.WorkPolicy.CreateWorkPolicy(context.Background(), "admin:test", s.tenant, mdm.WorkPolicy{Name: "Mit Code", WorkPasscodeRequired: true}); err != nil {
		t.Fatal(err)
	}
	d, _ := s.active(t, email)
	return d
}

// The privacy notice promises that locking the work profile never locks the phone, and
// only happens where the rules require a separate work passcode. Google's LOCK locks the
// whole phone when the work profile shares the screen lock, so it reaches Google only for
// a device whose work policy requires the separate lock (which the AMAPI policy then
// demands) and which does not report it missing.
func TestLockOnlyWithASeparateWorkLock(t *testing.T) {
	notice, err := mdm.PrivacyNotice(mdm.PlatformAndroid, mdm.OwnershipPersonal)
	if err != nil {
		t.Fatal(err)
	}
	promised := false
	for _, item := range notice.CanDo {
		if slices.Contains(item.Commands, mdm.CommandLockWork) {
			promised = strings.Contains(item.Text.EN, "only where its rules require a separate passcode") &&
				strings.Contains(item.Text.DE, "nur wenn seine Regeln einen eigenen Code")
		}
	}
	if !promised {
		t.Fatal("the notice does not make the promise this test holds")
	}
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		b := s.bind(t)
		plain, err := s.svc.WorkPolicy.CreateWorkPolicy(ctx, "admin:test", s.tenant, mdm.WorkPolicy{Name: "Ohne Code"})
		if err != nil {
			t.Fatal(err)
		}
		shared, _ := s.active(t, "max@musterstadt.de")
		if *shared.WorkPolicyID != plain.ID {
			t.Fatalf("the phone is on %v, want the policy without passcode", shared.WorkPolicyID)
		}
		separate, err := s.svc.WorkPolicy.CreateWorkPolicy(ctx, "admin:test", s.tenant, mdm.WorkPolicy{Name: "Mit Code", WorkPasscodeRequired: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.platform.ApplyPolicy(ctx, s.tenant, separate); err != nil {
			t.Fatal(err)
		}
		policy, _ := s.fake.Policy(b.Enterprise + "/policies/wp-" + separate.ID)
		if len(policy.PasswordPolicies) != 1 || policy.PasswordPolicies[0].UnifiedLockSettings != "REQUIRE_SEPARATE_WORK_LOCK" {
			t.Fatalf("the policy with a work passcode does not require a separate work lock: %+v", policy.PasswordPolicies)
		}

		lock, _ := queueCommand(t, s, shared, mdm.CommandLockWork)
		if err := s.platform.SendCommand(ctx, s.tenant, shared, lock); !errors.Is(err, mdm.ErrInvalid) {
			t.Errorf("LOCK to a phone whose work profile may share the screen lock: %v, want refused", err)
		}
		if got := command(t, s, shared.ID, lock.ID); got.State != mdm.CommandError || !strings.Contains(got.Error, "whole phone") {
			t.Errorf("the refused command is %s (%q), want an error naming the reason", got.State, got.Error)
		}

		moved, err := s.svc.WorkPolicy.AssignWorkPolicy(ctx, "admin:test", s.tenant, shared.ID, separate.ID)
		if err != nil {
			t.Fatal(err)
		}
		moved.NonCompliance = "passwordPolicies: USER_ACTION"
		lock, _ = queueCommand(t, s, moved, mdm.CommandLockWork)
		if err := s.platform.SendCommand(ctx, s.tenant, moved, lock); !errors.Is(err, mdm.ErrInvalid) {
			t.Errorf("LOCK before the separate work lock is set: %v, want refused", err)
		}
		if n := s.fake.Calls("devices.issueCommand"); n != 0 {
			t.Fatalf("%d LOCK commands reached Google", n)
		}

		moved.NonCompliance = ""
		lock, _ = queueCommand(t, s, moved, mdm.CommandLockWork)
		if err := s.platform.SendCommand(ctx, s.tenant, moved, lock); err != nil {
			t.Fatalf("LOCK with a separate work lock: %v", err)
		}
		if n := s.fake.Calls("devices.issueCommand"); n != 1 {
			t.Errorf("%d commands reached Google, want the one LOCK", n)
		}
	})
}
