package mdm

import (
	"errors"
	"testing"
)

func TestWhenADeviceMayBeginEnrolment(t *testing.T) {
	cases := []struct {
		state      DeviceState
		platformID string // the device's
		contact    string // the enrolment ID the phone makes contact under
		allowed    bool
	}{
		{DeviceInvited, "", "E1", true},
		{DeviceEnrolling, "E1", "E1", true},
		{DeviceEnrolling, "E1", "E2", true}, // the phone started over before it was active
		{DeviceActive, "E1", "E1", true},    // an active enrolment authenticating anew
		{DeviceActive, "E1", "E2", false},   // a second enrolment under an active device
		{DeviceRemoving, "E1", "E1", false},
		{DeviceRemoved, "E1", "E1", false},
		{DeviceInvited, "", "", false},
	}
	for _, c := range cases {
		err := Device{ID: "d", State: c.state, PlatformID: c.platformID}.CanBeginEnrolment(c.contact)
		if (err == nil) != c.allowed {
			t.Errorf("%s device under %q contacted as %q: %v, allowed %v", c.state, c.platformID, c.contact, err, c.allowed)
		}
		if err != nil && !errors.Is(err, ErrConflict) && !errors.Is(err, ErrInvalid) {
			t.Errorf("error %v is neither ErrConflict nor ErrInvalid", err)
		}
	}
}
