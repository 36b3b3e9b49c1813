package api_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/ui/browsertest"
)

// printHides is true when the page's stylesheets hide the dashboard's navigation and
// the document's own links for printing.
const printHides = `[...document.styleSheets].some(s => [...s.cssRules].some(r => r.media && r.media.mediaText.includes("print") &&
	[...r.cssRules].some(c => c.selectorText && c.selectorText.includes(".dash") && c.selectorText.includes(".noprint") && c.style.display === "none")))`

// In headless Chromium, in German, a data-protection officer goes through their menu:
// the overview, the employees, one employee's report, the record of processing, the three
// drafts, the access log that now shows the report, and the audit trail. Every page
// passes the accessibility check, keeps the dashboard's navigation on screen and leaves
// it out when printed.
func TestBrowserTheDataProtectionOfficersMenu(t *testing.T) {
	browser := browsertest.New(t)
	w := editorWorld(t, storetest.SQLite)
	emp := w.employee(w.tenant)
	w.device(w.tenant)
	ts := httptest.NewTLSServer(w.srv.Echo())
	t.Cleanup(ts.Close)
	tab := signedInAs(t, browser, w, ts.URL, "de-DE,de;q=0.9", mdm.RoleDPO)

	tab.Load(chromedp.Click(chromedp.CSS(`nav.dash a[href="/ui/data-protection"]`)))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("h1")))
	tab.CheckAccessibility()
	tab.Screenshot("dpo-overview")

	tab.Load(chromedp.Click(chromedp.CSS(`main ul.links a[href="/ui/data-protection/employees"]`)))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("table")))
	tab.CheckAccessibility()
	if n := browsertest.Get(tab, chromedp.Evaluate[int](`document.querySelectorAll('main form[method="post"]:not(.signout)').length`)); n != 0 {
		t.Errorf("the officer's list of employees has %d forms that change something", n)
	}
	tab.Load(chromedp.Click(chromedp.CSS(`a[href="/ui/data-protection/employees/` + emp.ID + `"]`)))
	tab.Do(chromedp.WaitVisible(chromedp.CSS(".document h1")))
	tab.CheckAccessibility()
	tab.Screenshot("dpo-report")
	if text := tab.Text(); !strings.Contains(text, emp.Email) || !strings.Contains(text, "Als HTML herunterladen") {
		t.Errorf("the report page:\n%.1500s", text)
	}
	if !browsertest.Get(tab, chromedp.Evaluate[bool](printHides)) {
		t.Errorf("printing the report would print the navigation")
	}

	pages := []string{"/ui/data-protection/processing"}
	for _, d := range dataprotection.Documents {
		pages = append(pages, "/ui/data-protection/documents/"+string(d))
	}
	for _, p := range pages {
		tab.Load(chromedp.Click(chromedp.CSS(`nav.noprint a[href="` + p + `"]`)))
		tab.Do(chromedp.WaitVisible(chromedp.CSS(".document h1")))
		tab.CheckAccessibility()
		tab.Screenshot("dpo" + strings.ReplaceAll(strings.TrimPrefix(p, "/ui/data-protection"), "/", "-"))
		if text := tab.Text(); !strings.Contains(text, w.tenant.DisplayName) {
			t.Errorf("%s does not name the tenant:\n%.800s", p, text)
		}
		if !browsertest.Get(tab, chromedp.Evaluate[bool](printHides)) {
			t.Errorf("printing %s would print the navigation", p)
		}
	}
	if text := tab.Text(); !strings.Contains(text, "SYS.3.2.2.A23") {
		t.Errorf("the BSI page does not name SYS.3.2.2.A23:\n%.2000s", text)
	}

	tab.Load(chromedp.Click(chromedp.CSS(`nav.noprint a[href="/ui/data-protection/access-log"]`)))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("table")))
	tab.CheckAccessibility()
	if text := tab.Text(); !strings.Contains(text, "Auskunft nach Art. 15 erstellt") {
		t.Errorf("the access log does not show the report just made:\n%.1500s", text)
	}
	tab.Load(chromedp.Click(chromedp.CSS(`nav.noprint a[href="/ui/audit"]`)))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("table")))
	tab.CheckAccessibility()
}
