package api_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/ui/browsertest"
)

// In headless Chromium an administrator opens the overview in German: it says what needs
// attention, draws the charts with their tables behind a "figures as a table" switch, and
// passes axe-core without a single violation; the link of the devices in grace leads to
// them.
func TestBrowserOverviewInGerman(t *testing.T) {
	browser := browsertest.New(t)
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	now := time.Now().UTC()
	for i := range 3 {
		w.overviewDevice(w.tenant, mdm.ComplianceInGrace, now.AddDate(0, 0, -i*20), now)
	}
	w.overviewDevice(w.tenant, mdm.ComplianceNonCompliant, now.AddDate(0, 0, -45), now)
	for i := range 6 {
		w.device(w.tenant) // Android 15, compliant, today
		day := now.AddDate(0, 0, -i-1).Format(time.DateOnly)
		storetest.Exec(t, w.store, `INSERT INTO compliance_days (tenant_id, day, compliant, in_grace, noncompliant, unknown, taken_at)
			VALUES (?, ?, ?, ?, 1, 0, ?)`, w.tenant.ID, day, 6-i, i%3, now)
	}
	if err := w.svc.Overview.Snapshot(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewTLSServer(w.srv.Echo())
	t.Cleanup(ts.Close)
	tab := signedIn(t, browser, w, ts.URL, "de-DE,de;q=0.9")

	tab.Do(chromedp.Navigate(ts.URL+"/ui/"), chromedp.WaitVisible(chromedp.CSS("#needs-attention")))
	text := tab.Text()
	for _, want := range []string{"Braucht Aufmerksamkeit", "3 Geräte verletzen eine Compliance-Regel und sind in der Schonfrist.",
		"Ein Gerät erfüllt die Compliance-Regeln nicht", "Einrichtungen je Tag", "Compliance je Tag", "Betriebssystemversionen",
		"In den letzten 90 Tagen wurden 10 Geräte eingerichtet."} {
		if !strings.Contains(text, want) {
			t.Errorf("the overview lacks %q:\n%s", want, text)
		}
	}
	if n := browsertest.Get(tab, chromedp.Evaluate[int](`document.querySelectorAll("svg[role=img] title").length`)); n != 3 {
		t.Errorf("%d charts with a title, want 3", n)
	}
	tab.Screenshot("overview-de")
	browsertest.Get(tab, chromedp.Evaluate[int](`document.querySelectorAll("details").forEach(d => d.open = true); 0`))
	if got := browsertest.Get(tab, chromedp.Text(chromedp.CSS(`#versions-h ~ details tbody`))); !strings.Contains(got, "Android 15") || !strings.Contains(got, "iOS 18") {
		t.Errorf("the table of OS versions reads %q", got)
	}
	if vs := tab.Violations(); len(vs) > 0 {
		t.Errorf("axe-core finds %d violations: %v", len(vs), vs)
	}

	tab.Load(chromedp.Click(chromedp.CSS(`.attention-in_grace a`)))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("nav.dash")))
	if url := browsertest.Get(tab, chromedp.Location()); !strings.HasSuffix(url, "/ui/devices?compliance=in_grace") {
		t.Errorf("the link of the devices in grace leads to %s", url)
	}
}
