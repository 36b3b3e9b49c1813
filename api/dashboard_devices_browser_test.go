package api_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/ui/browsertest"
)

// In headless Chromium an administrator searches the device list for part of a name,
// sorts it, selects two of the devices found, moves them to another work policy, confirms
// with the count and a reason, and sees the outcome per device. Every page passes the
// accessibility check.
func TestBrowserDeviceListSearchSelectBulkMove(t *testing.T) {
	browser := browsertest.New(t)
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	ctx := context.Background()
	anna := w.personDevice(w.tenant, "Anna Müller", "a.mueller@musterstadt.example", mdm.DeviceActive, 1)
	jens := w.personDevice(w.tenant, "Jens Müllenbach", "j.muellenbach@musterstadt.example", mdm.DeviceActive, 2)
	w.personDevice(w.tenant, "Zoë Weiß", "z.weiss@musterstadt.example", mdm.DeviceActive, 3)
	p, err := w.svc.WorkPolicy.CreateWorkPolicy(ctx, "test", w.tenant, mdm.WorkPolicy{Name: "Bauamt"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewTLSServer(w.srv.Echo())
	t.Cleanup(ts.Close)
	tab := signedIn(t, browser, w, ts.URL, "de-DE,de;q=0.9")

	tab.Do(
		chromedp.Navigate(ts.URL+"/ui/devices"),
		chromedp.WaitVisible(chromedp.CSS("#q")),
		chromedp.SendKeys(chromedp.CSS("#q"), "MÜLL"),
	)
	tab.Load(chromedp.Submit(chromedp.CSS("#q")))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("#devices")))
	tab.Load(chromedp.Click(chromedp.CSS(`th a[href*="sort=name"]`)))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("#devices")))
	tab.CheckAccessibility()
	tab.Screenshot("devices-search")
	text := tab.Text()
	if !strings.Contains(text, "a.mueller@") || !strings.Contains(text, "j.muellenbach@") || strings.Contains(text, "z.weiss@") {
		t.Fatalf("the search for MÜLL shows:\n%s", text)
	}
	if url := browsertest.Get(tab, chromedp.Evaluate[string](`location.search`)); !strings.Contains(url, "q=M%C3%9CLL") || !strings.Contains(url, "sort=name") {
		t.Errorf("the address does not keep search and sort: %s", url)
	}

	tab.Do(
		chromedp.Click(chromedp.CSS("#select-"+anna.ID)),
		chromedp.Click(chromedp.CSS("#select-"+jens.ID)),
		chromedp.SetValue(chromedp.CSS("#bulk-policy"), p.ID),
	)
	tab.Load(chromedp.Click(chromedp.CSS("#bulk-move")))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("#bulk-confirm")))
	tab.CheckAccessibility()
	tab.Screenshot("devices-bulk-confirm")
	if count := browsertest.Get(tab, chromedp.Text(chromedp.CSS("#bulk-count"))); !strings.Contains(count, "2 Gerät(e)") || !strings.Contains(count, "Bauamt") {
		t.Errorf("the confirmation says %q", count)
	}
	tab.Do(
		chromedp.SendKeys(chromedp.CSS("#bulk-reason"), "Umzug ins Bauamt"),
		chromedp.Click(chromedp.CSS("#bulk-confirm-box")),
	)
	tab.Load(chromedp.Submit(chromedp.CSS("#bulk-reason")))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("#bulk-outcome")))
	tab.CheckAccessibility()
	tab.Screenshot("devices-bulk-done")
	if out := browsertest.Get(tab, chromedp.Text(chromedp.CSS("#bulk-outcome"))); !strings.Contains(out, "Erledigt für 2 Gerät(e), davon fehlgeschlagen: 0") {
		t.Errorf("the outcome says %q", out)
	}
	for _, d := range []mdm.Device{anna, jens} {
		if got, err := w.svc.Device(ctx, w.tenant.ID, d.ID); err != nil || got.WorkPolicyID == nil || *got.WorkPolicyID != p.ID {
			t.Errorf("device %s is not in the policy: %v", d.ID, err)
		}
	}
}
