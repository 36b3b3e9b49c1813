package ios_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

// A client that has typed enrolment.MaxFailedGuesses codes that lead nowhere on the sign-in page
// is refused further wrong codes for a while, with words that say what to do; a colleague
// behind the same address still signs in with a good code.
func TestSignInLimitsGuessedCodes(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		code := s.invite(t, "anna@mail.musterstadt.example", "anna@musterstadt.example", mdm.PlatformIOS)
		for i := range enrolment.MaxFailedGuesses {
			a := s.newPhone("anna@musterstadt.example").signIn(t, fmt.Sprintf("WRONG%027d", i))
			if a.StatusCode != http.StatusBadRequest {
				t.Fatalf("wrong code %d: HTTP %d, want 400", i, a.StatusCode)
			}
		}
		before := s.snapshot(t)
		a := s.newPhone("anna@musterstadt.example").signIn(t, "WRONG-ONE-TOO-MANY-0000000000000")
		if a.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(a.body), "Viertelstunde") {
			t.Fatalf("a wrong code after %d wrong ones: HTTP %d, want 429 and when to try again", enrolment.MaxFailedGuesses, a.StatusCode)
		}
		if after := s.snapshot(t); after != before {
			t.Errorf("the refused sign-in changed something:\nbefore %s\nafter  %s", before, after)
		}
		if a := s.newPhone("anna@musterstadt.example").signIn(t, code); a.StatusCode != http.StatusPermanentRedirect {
			t.Errorf("the good code from the same address after %d wrong ones: HTTP %d, want 308: %s", enrolment.MaxFailedGuesses, a.StatusCode, a.body)
		}
	})
}
