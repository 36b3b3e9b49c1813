package ios_test

import (
	"context"
	"errors"
	"testing"

	"github.com/micromdm/plist"

	"github.com/trennwand/trennwand/ios"
)

// A user-enrolled phone is a private phone: trennwand never queues a command that would
// erase or lock it, clear its passcode, put it in lost mode or locate it, or touch
// activation lock — not even under another name. Nothing is stored for such a command,
// and the phone receives nothing.
func TestCommandsForThePrivatePhoneAreNeverQueued(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		p := s.enrolled(t, "clara")
		ctx := context.Background()
		for _, typ := range []string{"EraseDevice", "EnableLostMode", "DisableLostMode", "PlayLostModeSound", "DeviceLocation",
			"ActivationLockBypassCode", "ClearActivationLockBypassCode", "DeviceLock", "ClearPasscode"} {
			errs, err := s.platform.Enqueue(ctx, []string{p.enrollmentID}, newCommand(t, typ))
			if !errors.Is(err, ios.ErrPrivateCommand) || errs != nil {
				t.Errorf("Enqueue %s: %v %v, want ErrPrivateCommand", typ, errs, err)
			}
		}

		// A wipe dressed up as an inventory query: the plist says EraseDevice.
		disguised := newCommand(t, "EraseDevice")
		disguised.Command.RequestType = "ManagedApplicationList"
		if _, err := s.platform.Enqueue(ctx, []string{p.enrollmentID}, disguised); !errors.Is(err, ios.ErrPrivateCommand) {
			t.Errorf("Enqueue of a disguised EraseDevice: %v, want ErrPrivateCommand", err)
		}
		// A command whose plist has another UUID than it claims is refused too.
		other := newCommand(t, "ManagedApplicationList")
		other.CommandUUID = "ANOTHER-UUID"
		if _, err := s.platform.Enqueue(ctx, []string{p.enrollmentID}, other); err == nil {
			t.Error("Enqueue of a command whose plist has another UUID succeeded")
		}

		if n := count(t, s, "ios_commands") + count(t, s, "ios_queue"); n != 0 {
			t.Errorf("%d command or queue rows stored for refused commands", n)
		}
		if status, cmd := p.report(t, "Idle", ""); cmd != nil {
			t.Errorf("the phone received %s (HTTP %d)", cmd.Command.RequestType, status)
		}
	})
}

// The guard reads the request type from the command's own plist, so that a command with a
// payload of its own cannot slip through either.
func TestTheGuardReadsTheCommandItself(t *testing.T) {
	s := newSite(t, "sqlite")
	p := s.enrolled(t, "dora")
	cmd := newCommand(t, "EraseDevice")
	raw, err := plist.Marshal(map[string]any{"CommandUUID": cmd.CommandUUID,
		"Command": map[string]any{"RequestType": "EraseDevice", "PIN": "123456", "PreserveDataPlan": true}})
	if err != nil {
		t.Fatal(err)
	}
	cmd.Raw = raw
	cmd.Command.RequestType = ""
	if _, err := s.platform.Enqueue(context.Background(), []string{p.enrollmentID}, cmd); !errors.Is(err, ios.ErrPrivateCommand) {
		t.Errorf("Enqueue: %v, want ErrPrivateCommand", err)
	}
}
