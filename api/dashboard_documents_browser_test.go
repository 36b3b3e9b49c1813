package api_test

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/trennwand/trennwand/api"
	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/ui/browsertest"
)

// In headless Chromium the audit page offers the three drafts, and each opens as a
// printable page that passes the accessibility check and shows the tenant's settings.
func TestBrowserDraftsFromTheAuditPage(t *testing.T) {
	browser := browsertest.New(t)
	w := editorWorld(t, storetest.SQLite)
	// The drafts are served by the JSON API, which takes the dashboard's session.
	if err := w.srv.MountAPI(api.APIConfig{Service: w.svc, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewTLSServer(w.srv.Echo())
	t.Cleanup(ts.Close)
	tab := signedIn(t, browser, w, ts.URL, "en-GB,en;q=0.9")

	tab.Do(chromedp.Navigate(ts.URL+"/ui/audit"), chromedp.WaitVisible(chromedp.CSS("h1")))
	for _, d := range dataprotection.Documents {
		link := `a[href="/api/v1/data-protection/` + string(d) + `?format=html"]`
		tab.Do(chromedp.Navigate(ts.URL+"/ui/audit"), chromedp.WaitVisible(chromedp.CSS(link)), chromedp.Click(chromedp.CSS(link)),
			chromedp.WaitVisible(chromedp.CSS("main h1")))
		tab.CheckAccessibility()
		tab.Screenshot("draft-" + string(d))
		if text := tab.Text(); !strings.Contains(text, w.tenant.DisplayName) {
			t.Errorf("the %s page does not name the tenant:\n%.800s", d, text)
		}
	}
	if text := tab.Text(); !strings.Contains(text, "SYS.3.2.2.A1") {
		t.Errorf("the BSI page does not name SYS.3.2.2.A1:\n%.2000s", text)
	}
}
