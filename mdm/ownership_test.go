package mdm

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseOwnership(t *testing.T) {
	for in, want := range map[string]Ownership{"": OwnershipPersonal, "personal": OwnershipPersonal, " Company ": OwnershipCompany, "company": OwnershipCompany} {
		if got, err := ParseOwnership(in); err != nil || got != want {
			t.Errorf("ParseOwnership(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"corporate", "byod", "cope", "personal,company", "\x00"} {
		_, err := ParseOwnership(in)
		var r *Refusal
		if !errors.Is(err, ErrInvalid) || !errors.As(err, &r) || r.ID != "refusal.ownership" || !strings.Contains(err.Error(), "personal") {
			t.Errorf("ParseOwnership(%q) = %v; want a refusal that names the two", in, err)
		}
	}
}

// On the employee's own phone only what acts on the work container is left of what a
// platform can do; on the employer's phone all of it. A device whose ownership is not
// known is treated as the employee's own.
func TestCapabilitiesFollowOwnership(t *testing.T) {
	for _, can := range capabilitySets() {
		for _, o := range []Ownership{OwnershipPersonal, OwnershipCompany, ""} {
			got := can.For(o)
			if o.Company() && got != can {
				t.Errorf("company-owned, can %q: %q", can, got)
			}
			if !o.Company() && (got&companyOnly != 0 || got != can&^companyOnly) {
				t.Errorf("%q-owned, can %q: %q", o, can, got)
			}
		}
	}
}

// FuzzOwnershipAndHardwareIDs feeds arbitrary text to what comes from outside about a
// phone's ownership (a form, a CSV line, the API) and its hardware identifiers (a
// platform's report): nothing panics, only the two ownerships are accepted, and accepted
// identifiers are short and plain.
func FuzzOwnershipAndHardwareIDs(f *testing.F) {
	for _, s := range []string{"", "personal", "company", "COMPANY", "company\n", "R58N90ABCDE", "356938035643809", "\xff", strings.Repeat("9", 65)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if o, err := ParseOwnership(s); err == nil && !slices.Contains(Ownerships, o) {
			t.Errorf("ownership %q accepted as %q", s, o)
		}
		h := HardwareIDs{SerialNumber: s, IMEI: s, UDID: s}
		if h.Check() == nil && (len(s) > maxHardwareID || strings.ContainsAny(s, " \t\n\r\x00<>\"'&")) {
			t.Errorf("hardware identifier %q accepted", s)
		}
	})
}
