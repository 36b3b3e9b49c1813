package api_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/ui/browsertest"
)

// In headless Chromium, in German, a data-protection officer opens the audit trail,
// narrows it to what was done to Berta Beispiel's devices with the form (no script of the
// page's own), reads it as sentences, and exports exactly that as CSV with the form's
// data; the export then reads as the newest access to data. Every page passes the
// accessibility check.
func TestBrowserTheOfficerFiltersTheAuditTrailAndExportsIt(t *testing.T) {
	browser := browsertest.New(t)
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	sc := newAuditScene(t, w)
	ts := httptest.NewTLSServer(w.srv.Echo())
	t.Cleanup(ts.Close)
	tab := signedInAs(t, browser, w, ts.URL, "de-DE,de;q=0.9", mdm.RoleDPO)

	tab.Load(chromedp.Click(chromedp.CSS(`nav.dash a[href="/ui/audit"]`)))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("#events")))
	tab.CheckAccessibility()
	tab.Screenshot("audit")
	if text := tab.Text(); !strings.Contains(text, "Unversehrt bis zum neuesten Ereignis") {
		t.Errorf("the chain's state is not at the top:\n%.1500s", text)
	}

	tab.Do(
		chromedp.SetValue(chromedp.CSS("#person"), "Berta"),
		chromedp.SetValue(chromedp.CSS("#what"), string(audit.GroupDevices)),
	)
	tab.Load(chromedp.Submit(chromedp.CSS("#person")))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("#events")))
	tab.CheckAccessibility()
	tab.Screenshot("audit-filtered")
	if n := browsertest.Get(tab, chromedp.Evaluate[int](`document.querySelectorAll("#events .sentence").length`)); n != 2 {
		t.Errorf("%d events about Berta's devices, want the view and the command", n)
	}
	text := tab.Text()
	if !strings.Contains(text, "hat für das Android-Gerät von Berta Beispiel den Befehl „Arbeitsbereich sperren“ erteilt. Grund: „Gerät verloren gemeldet“.") {
		t.Errorf("the filtered page:\n%.2500s", text)
	}
	if strings.Contains(text, sc.phone.ID) {
		t.Errorf("the device's ID shows before the technical details are opened")
	}
	if href := browsertest.Get(tab, chromedp.Evaluate[string](`location.search`)); !strings.Contains(href, "person=Berta") || !strings.Contains(href, "what=devices") {
		t.Errorf("the filters are not in the address: %s", href)
	}

	// The export button posts the form; the browser would save the archive, so the test
	// sends the same form from the page and looks at the answer.
	answer := browsertest.Get(tab, chromedp.Evaluate[[]any](`(async () => {
		const f = document.querySelector("form.export");
		const data = new URLSearchParams(new FormData(f));
		data.set("format", f.querySelector('button[value="csv"]').value);
		const r = await fetch(f.action, {method: "POST", body: data});
		const b = new Uint8Array(await r.arrayBuffer());
		return [r.status, r.headers.get("content-type"), String.fromCharCode(b[0], b[1])];
	})()`, chromedp.EvalAwaitPromise))
	if len(answer) != 3 || answer[0] != float64(200) || answer[1] != "application/zip" || answer[2] != "PK" {
		t.Fatalf("the export answered %v", answer)
	}
	e := w.lastAudit(w.tenant)
	if e.Action != audit.AuditExport || e.Subject != audit.Employee.Of(sc.berta.ID) || e.Field("format") != "csv" {
		t.Errorf("the export's event: %+v", e)
	}

	tab.Load(chromedp.Navigate(ts.URL + "/ui/audit?what=access"))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("#events")))
	tab.CheckAccessibility()
	if first := browsertest.Get(tab, chromedp.Evaluate[string](`document.querySelector("#events .sentence").textContent`)); !strings.Contains(first, "hat das Prüfprotokoll als CSV exportiert") {
		t.Errorf("the newest access is %q, not the export", first)
	}
}
