package mdm

import (
	"errors"
	"testing"
)

func TestInvitationCodesAreForgivingToType(t *testing.T) {
	for typed, want := range map[string]string{
		"ABCD EFGH-IJKL": "ABCDEFGHIJKL",
		" abcd efgh\t":   "ABCDEFGH",
		"abcd-efgh-ijkl": "ABCDEFGHIJKL",
		"":               "",
	} {
		if got := NormalizeInvitationCode(typed); got != want {
			t.Errorf("NormalizeInvitationCode(%q) = %q, want %q", typed, got, want)
		}
	}
}

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

func TestOnlyTheEmployeesManagedAppleAccountEnrolsAnIPhone(t *testing.T) {
	emp := Employee{ManagedAppleID: "anna@musterstadt.example"}
	cases := []struct {
		platform Platform
		emp      Employee
		account  string
		ok       bool
	}{
		{PlatformIOS, emp, "anna@musterstadt.example", true},
		{PlatformIOS, emp, "Anna@Musterstadt.example", true},
		{PlatformIOS, emp, "", true}, // the phone did not say; the profile names the employee's
		{PlatformIOS, emp, "bernd@musterstadt.example", false},
		{PlatformIOS, Employee{}, "anna@musterstadt.example", false},
		{PlatformAndroid, Employee{}, "", true},
	}
	for _, c := range cases {
		err := checkAccount(canOf(c.platform), c.emp, c.account)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrNoManagedAppleID)) {
			t.Errorf("%s, employee %q, account %q: %v", c.platform, c.emp.ManagedAppleID, c.account, err)
		}
	}
}
