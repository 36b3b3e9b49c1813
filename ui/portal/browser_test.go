package portal_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/ui"
	"github.com/trennwand/trennwand/ui/browsertest"
)

// site serves the portal with the stylesheet, as the server mounts them.
func (f *fixture) site(t *testing.T) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/e/", f.srv.Config.Handler)
	mux.Handle(ui.AssetPath, ui.Assets())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// On a phone, an employee opens the invitation, reads the notice in German or, after the
// language switch, in English, acknowledges it and gets the Android link; every page passes the accessibility check.
func TestBrowserAndroidJourney(t *testing.T) {
	browser := browsertest.New(t)
	cases := []struct {
		lang, cannotSee, button string
	}{
		{"de", "Ihr Arbeitgeber kann nicht sehen", "Arbeitsprofil einrichten"},
		{"en", "Your employer cannot see", "Set up work profile"},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			f := newFixture(t)
			base := f.site(t)
			inv := f.invite(enrolment.InviteRequest{Email: "anna@musterstadt.de", Name: "Anna Berg"})
			tab := browser.Phone(t, androidUA, "de-DE,de;q=0.9")

			tab.Do(chromedp.Navigate(base + "/e/" + inv.Code))
			if c.lang != "de" {
				// The switch, as an employee whose browser asks for German would use it.
				tab.Do(chromedp.Click(chromedp.CSS(`a[hreflang="`+c.lang+`"]`)), chromedp.WaitVisible(chromedp.CSS(`span[lang="`+c.lang+`"]`)))
			}
			if got := browsertest.Get(tab, chromedp.Evaluate[string]("document.documentElement.lang")); got != c.lang {
				t.Errorf("page language %q", got)
			}
			if text := tab.Text(); !strings.Contains(text, c.cannotSee) || !strings.Contains(text, "KommunalIT Nord") {
				t.Errorf("the notice is not shown first:\n%s", text)
			}
			tab.CheckAccessibility()
			tab.Screenshot("notice-" + c.lang)

			tab.Do(
				chromedp.Click(chromedp.CSS("#acknowledge")),
				chromedp.Click(chromedp.CSS(`form[action*="/accept"] button[type=submit]`)),
				chromedp.WaitVisible(chromedp.CSS("a.button")),
			)
			link := browsertest.Get(tab, chromedp.AttributeValue(chromedp.CSS("a.button"), "href"))
			if !strings.HasPrefix(link.Value, "https://enterprise.google.com/android/enroll?et=TOKEN-") {
				t.Errorf("enrolment link %q", link.Value)
			}
			if text := tab.Text(); !strings.Contains(text, c.button) {
				t.Errorf("status page:\n%s", text)
			}
			if w := browsertest.Get(tab, chromedp.Evaluate[int](`document.querySelector("img.qr").naturalWidth`)); w == 0 {
				t.Error("the QR code for another screen does not load")
			}
			tab.CheckAccessibility()
			tab.Screenshot("status-" + c.lang)
		})
	}
}

// The iPhone steps, the page for an unusable link and the code form pass the
// accessibility check too.
func TestBrowserOtherPagesAreAccessible(t *testing.T) {
	browser := browsertest.New(t)
	f := newFixture(t)
	base := f.site(t)
	inv := f.invite(enrolment.InviteRequest{Email: "anna@musterstadt.de", ManagedAppleID: "anna@appleid.musterstadt.de"})
	tab := browser.Phone(t, iPhoneUA, "de")
	tab.Do(chromedp.Navigate(base + "/e/" + inv.Code))
	tab.CheckAccessibility()
	tab.Do(
		chromedp.Click(chromedp.CSS("#acknowledge")),
		chromedp.Click(chromedp.CSS(`form[action*="/accept"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("ol.steps")),
	)
	if text := tab.Text(); !strings.Contains(text, "VPN und Geräteverwaltung") {
		t.Errorf("iPhone steps:\n%s", text)
	}
	tab.CheckAccessibility()
	tab.Screenshot("ios-steps")
	for name, path := range map[string]string{"gone": "/e/NOPE", "enter": "/e/"} {
		tab.Do(chromedp.Navigate(base + path))
		tab.CheckAccessibility()
		tab.Screenshot(name)
	}
}
