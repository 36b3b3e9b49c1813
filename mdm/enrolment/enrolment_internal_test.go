package enrolment

import (
	"errors"
	"testing"

	"github.com/trennwand/trennwand/mdm"
)

// canOf stands in for what the real platforms register that matters to the account rule
// (ios.Registration, android.Registration); the platforms' own tests check that they
// register it.
var canOf = map[mdm.Platform]mdm.Capability{mdm.PlatformIOS: mdm.NeedsManagedAccount, mdm.PlatformAndroid: mdm.EnrolsByPortalLink}

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

func TestOnlyTheEmployeesManagedAppleAccountEnrolsAnIPhone(t *testing.T) {
	emp := mdm.Employee{ManagedAppleID: "anna@musterstadt.example"}
	cases := []struct {
		platform mdm.Platform
		emp      mdm.Employee
		account  string
		ok       bool
	}{
		{mdm.PlatformIOS, emp, "anna@musterstadt.example", true},
		{mdm.PlatformIOS, emp, "Anna@Musterstadt.example", true},
		{mdm.PlatformIOS, emp, "", true}, // the phone did not say; the profile names the employee's
		{mdm.PlatformIOS, emp, "bernd@musterstadt.example", false},
		{mdm.PlatformIOS, mdm.Employee{}, "anna@musterstadt.example", false},
		{mdm.PlatformAndroid, mdm.Employee{}, "", true},
	}
	for _, c := range cases {
		err := checkAccount(canOf[c.platform], c.emp, c.account)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrNoManagedAppleID)) {
			t.Errorf("%s, employee %q, account %q: %v", c.platform, c.emp.ManagedAppleID, c.account, err)
		}
	}
}

// The managed account is required only where the phone signs in with it, whatever else
// the platform can do.
func TestTheManagedAccountIsRequiredOnlyWhereThePlatformSignsInWithIt(t *testing.T) {
	all := mdm.Capability(0)
	for _, c := range mdm.AllCapabilities() {
		all |= c
	}
	for _, can := range append(mdm.AllCapabilities(), 0, all) {
		err := checkAccount(can, mdm.Employee{}, "")
		if (err != nil) != can.Has(mdm.NeedsManagedAccount) {
			t.Errorf("a platform that can %q and an employee without a managed account: %v", can, err)
		}
	}
}
