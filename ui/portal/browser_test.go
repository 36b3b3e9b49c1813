package portal_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/ui"
	"github.com/trennwand/trennwand/ui/browsertest"
	"github.com/trennwand/trennwand/ui/portal"
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
			// The image's width once it has loaded or failed, not while it is still on its way.
			loaded := `new Promise(done => { const img = document.querySelector("img.qr");
				if (img.complete) { done(img.naturalWidth); return; }
				img.addEventListener("load", () => done(img.naturalWidth)); img.addEventListener("error", () => done(0)); })`
			if w := browsertest.Get(tab, chromedp.Evaluate[int](loaded, chromedp.EvalAwaitPromise)); w == 0 {
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

// An employee with an Android phone follows the set-up in German on the phone's screen:
// the notice's summary with its details folded, then the progress, which the page
// updates by itself while the phone sets up the work area, up to done; then the removal
// with its confirmation, and the link afterwards. No page has a single accessibility
// violation.
func TestBrowserAnEmployeeFollowsTheSetUp(t *testing.T) {
	browser := browsertest.New(t)
	reported := reportedApps{}
	f := progressFixture(t, reported, func(c *portal.Config) { c.Refresh = 2 * time.Second })
	base := f.site(t)
	inv := f.invite(enrolment.InviteRequest{Email: "anna@musterstadt.de", Name: "Anna Berg", Platform: mdm.PlatformAndroid})
	tab := browser.Phone(t, androidUA, "de-DE,de;q=0.9")
	noViolations := func(page string) {
		t.Helper()
		if vs := tab.Violations(); len(vs) > 0 {
			t.Errorf("%s: accessibility violations %v", page, vs)
		}
		tab.Screenshot("setup-" + page)
	}
	// waitFor waits until the page, reloading by itself, says want.
	waitFor := func(want string) {
		t.Helper()
		for range 60 {
			if strings.Contains(tab.Text(), want) {
				return
			}
			time.Sleep(500 * time.Millisecond)
		}
		t.Fatalf("the page did not come to say %q:\n%s", want, tab.Text())
	}

	tab.Load(chromedp.Navigate(base + "/e/" + inv.Code))
	text := tab.Text()
	if !strings.Contains(text, "Das Wichtigste in Kürze") || !strings.Contains(text, "Ihr Arbeitgeber sieht nie:") || strings.Contains(text, "Geräte-Kennungen wie IMEI") {
		t.Errorf("the notice does not start with its summary, details folded:\n%s", text)
	}
	noViolations("notice")
	tab.Do(chromedp.Click(chromedp.CSS("#cannot-see")), chromedp.WaitVisible(chromedp.CSS("details[open]")))
	if !strings.Contains(tab.Text(), "Geräte-Kennungen wie IMEI") {
		t.Error("the details do not open")
	}

	tab.Load(
		chromedp.Click(chromedp.CSS("#acknowledge")),
		chromedp.Click(chromedp.CSS(`form[action*="/accept"] button[type=submit]`)),
	)
	waitFor("Ihr Telefon meldet sich – läuft gerade")
	current := browsertest.Get(tab, chromedp.Evaluate[string](`document.querySelector('[aria-current="step"]').textContent`))
	if !strings.HasPrefix(current, "Ihr Telefon meldet sich") {
		t.Errorf("the step marked current is %q", current)
	}
	d := f.onlyDevice()
	f.phoneGetsInTouch(d, false)
	waitFor("Arbeitsbereich auf dem Telefon eingerichtet – läuft gerade")
	f.phoneGetsInTouch(d, true)
	waitFor("Dienst-Apps installiert: 0 von 2 – läuft gerade")
	// The check runs on a page that does not reload under it.
	tab.Load(chromedp.Click(chromedp.CSS(`a[href$="auto=0"]`)))
	if text := tab.Text(); strings.Contains(text, "aktualisiert sich") || !strings.Contains(text, "Seite neu laden") {
		t.Errorf("reloading turned off:\n%s", text)
	}
	noViolations("apps")

	reported["com.example.mail"], reported["com.example.files"] = mdm.AppInstalled, mdm.AppInstalled
	tab.Load(chromedp.Navigate(base + "/e/" + inv.Code))
	if text := tab.Text(); !strings.Contains(text, "Fertig – erledigt") || strings.Contains(text, "aktualisiert sich") {
		t.Errorf("done:\n%s", text)
	}
	noViolations("done")

	tab.Load(chromedp.Click(chromedp.CSS(`a[href*="/remove?device="]`)))
	if text := tab.Text(); !strings.Contains(text, "Das bleibt, wie es ist") {
		t.Errorf("confirmation:\n%s", text)
	}
	noViolations("remove")
	tab.Load(chromedp.Click(chromedp.CSS(`form[action*="/remove"] button[type=submit]`)))
	if text := tab.Text(); !strings.Contains(text, "Der Arbeitsbereich wird entfernt. Ihre privaten Daten bleiben erhalten.") {
		t.Errorf("after the removal:\n%s", text)
	}
	noViolations("removing")
	if err := f.svc.ConfirmRemoval(context.Background(), "test", f.tenant.ID, d.ID, "done"); err != nil {
		t.Fatal(err)
	}
	tab.Load(chromedp.Navigate(base + "/e/" + inv.Code))
	if text := tab.Text(); !strings.Contains(text, "Der Arbeitsbereich wurde entfernt") || !strings.Contains(text, "neue Einladung") {
		t.Errorf("the link after the removal:\n%s", text)
	}
	noViolations("removed")
}

// An employee reports their company-owned phone lost on the phone's screen: the status
// page's action, the confirmation and the status page afterwards have no accessibility
// violation.
func TestBrowserAnEmployeeReportsTheirPhoneLost(t *testing.T) {
	browser := browsertest.New(t)
	f := newFixture(t)
	base := f.site(t)
	code, _ := f.activeDevice("hof@musterstadt.de", mdm.PlatformAndroid, mdm.OwnershipCompany)
	tab := browser.Phone(t, androidUA, "de-DE,de;q=0.9")
	noViolations := func(page string) {
		t.Helper()
		if vs := tab.Violations(); len(vs) > 0 {
			t.Errorf("%s: accessibility violations %v", page, vs)
		}
		tab.Screenshot("lost-" + page)
	}
	tab.Load(chromedp.Navigate(base + "/e/" + code + "?auto=0"))
	noViolations("status")
	tab.Load(chromedp.Click(chromedp.CSS(`a[href*="/lost?device="]`)))
	if text := tab.Text(); !strings.Contains(text, "Das geschieht nicht") {
		t.Errorf("confirmation:\n%s", text)
	}
	noViolations("confirm")
	tab.Load(chromedp.Click(chromedp.CSS(`form[action*="/lost"] button[type=submit]`)))
	if text := tab.Text(); !strings.Contains(text, "Ihr Telefon wurde als verloren gemeldet") {
		t.Errorf("after the report:\n%s", text)
	}
	noViolations("reported")
}
