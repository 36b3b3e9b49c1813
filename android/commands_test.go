package android_test

import (
	"context"
	"errors"
	"net/http"
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
	d, _ := s.active(t, "max@musterstadt.de")
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
