package enrolment_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

// FuzzPortalFormFields feeds arbitrary strings to the parsers of what the portal's and the
// sign-in's forms carry: the invitation code, the platform and the e-mail address. None
// may panic; a normalised code or address normalises to itself; only the two platforms
// are accepted; an accepted address is text.
func FuzzPortalFormFields(f *testing.F) {
	for _, s := range []string{"ABCD-EFGH 2345", "ios", "android", "erika@musterstadt.example", "a\xff@b.example",
		"a\uFFFD@b.example", "<script>@x", "", "\x00", "ERIKA@Musterstadt.EXAMPLE"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code := enrolment.NormalizeInvitationCode(s)
		if again := enrolment.NormalizeInvitationCode(code); again != code {
			t.Errorf("code %q normalises to %q, then to %q", s, code, again)
		}
		if strings.ContainsAny(code, " -\t") {
			t.Errorf("code %q keeps a separator: %q", s, code)
		}
		if p, err := mdm.ParsePlatform(s); err == nil && p != mdm.PlatformIOS && p != mdm.PlatformAndroid {
			t.Errorf("platform %q accepted as %q", s, p)
		}
		if email, err := mdm.NormalizeEmail(s); err == nil {
			if !utf8.ValidString(email) || strings.ContainsRune(email, utf8.RuneError) || strings.ContainsRune(email, 0) {
				t.Errorf("address %q accepted although it is not text", s)
			}
			if again, err := mdm.NormalizeEmail(email); err != nil || again != email {
				t.Errorf("address %q normalises to %q, then to %q (%v)", s, email, again, err)
			}
		}
	})
}
