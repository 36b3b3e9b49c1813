package phonesim

import (
	"strings"
	"testing"
)

func TestThePhoneFindsTheEnrolmentLinkOnThePortalPage(t *testing.T) {
	page := `<p><a href="/e/x">back</a></p><p><a class="button" href="https://enterprise.google.com/android/enroll?et=ABC">Set up</a></p>`
	if got := enrolmentLink([]byte(page)); got != "https://enterprise.google.com/android/enroll?et=ABC" {
		t.Fatalf("found %q", got)
	}
	if got := enrolmentLink([]byte(`<p>no link</p>`)); got != "" {
		t.Fatalf("found %q on a page without a link", got)
	}
}

func FuzzFind(f *testing.F) {
	f.Add(`<form><input type="hidden" name="notice_version" value="3"></form><a href="https://x/enroll?et=T">`)
	f.Add(`<a href=`)
	f.Fuzz(func(t *testing.T, page string) {
		if got := enrolmentLink([]byte(page)); got != "" && !strings.Contains(got, "?et=") {
			t.Fatalf("took %q, which is no enrolment link", got)
		}
	})
}
