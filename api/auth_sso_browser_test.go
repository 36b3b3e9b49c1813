package api_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/ui/browsertest"
)

// In headless Chromium an administrator finds her organisation's single sign-on on the
// sign-in page (German), signs in at the provider and lands on the dashboard; then she
// opens the single sign-on settings (English) and tests the connection. The pages pass
// the accessibility check. The server's public name leads Chromium to the test's server.
func TestBrowserSignsInThroughTheProviderAndTestsTheConnection(t *testing.T) {
	w := newSSOWorld(t, storetest.Open(t, storetest.SQLite))
	ts, _ := url.Parse(w.ts.URL)
	browser := browsertest.New(t, chromedp.Flag("host-resolver-rules", "MAP mdm.musterstadt.example:443 "+ts.Host))
	public := "https://mdm.musterstadt.example"

	tab := browser.Phone(t, desktopUA, "de-DE,de;q=0.9")
	tab.Do(chromedp.Navigate(public+"/ui/signin"), chromedp.WaitVisible(chromedp.CSS("#sso-tenant")))
	tab.CheckAccessibility()
	tab.Do(
		chromedp.SendKeys(chromedp.CSS("#sso-tenant"), "musterstadt"),
		chromedp.Submit(chromedp.CSS("#sso-tenant")),
		chromedp.WaitVisible(chromedp.CSS("#sso")),
	)
	if text := tab.Text(); !strings.Contains(text, "Mit Rathaus-Konto anmelden") {
		t.Errorf("the sign-in page offers no single sign-on in German:\n%.600s", text)
	}
	tab.CheckAccessibility()
	tab.Screenshot("sso-signin")
	w.idp.m.QueueUser(anna())
	tab.Do(chromedp.Click(chromedp.CSS("#sso")), chromedp.WaitVisible(chromedp.CSS("nav.dash")))
	if text := tab.Text(); !strings.Contains(text, "anna.admin@musterstadt.example") {
		t.Errorf("the dashboard does not name who signed in:\n%.600s", text)
	}

	tab.Do(chromedp.Navigate(public+"/ui/settings/sso?lang=en"), chromedp.WaitVisible(chromedp.CSS("#issuer")))
	tab.CheckAccessibility()
	tab.Do(chromedp.Click(chromedp.CSS(`form[action="/ui/settings/sso/test"] button`)), chromedp.WaitVisible(chromedp.CSS("#test-result")))
	if text := tab.Text(); !strings.Contains(text, "The discovery document was read") || !strings.Contains(text, w.idp.m.TokenEndpoint()) {
		t.Errorf("the test of the connection shows no result:\n%.1200s", text)
	}
	tab.CheckAccessibility()
	tab.Screenshot("sso-settings")
}
