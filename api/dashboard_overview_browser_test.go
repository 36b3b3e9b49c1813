package api_test

import (
	"context"
	"fmt"
	"math"
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
// passes axe-core without a single violation in the light and the dark colour scheme, with
// the charts' colours following the scheme; the link of the devices in grace leads to
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
	tab.CheckAccessibility()
	for _, scheme := range []string{"light", "dark"} {
		tab.Emulate("", scheme)
		chartsReadable(t, tab, scheme)
	}
	tab.Emulate("", "light")

	tab.Load(chromedp.Click(chromedp.CSS(`.attention-in_grace a`)))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("nav.dash")))
	if url := browsertest.Get(tab, chromedp.Location()); !strings.HasSuffix(url, "/ui/devices?compliance=in_grace") {
		t.Errorf("the link of the devices in grace leads to %s", url)
	}
}

// chartElements are the parts of the overview's charts whose colour must stand out from
// the page (WCAG 2.1, 1.4.3 for text, 1.4.11 for the bars), with the contrast each needs.
var chartElements = []struct {
	selector string
	property string
	least    float64
}{
	{"rect.series-enrolments", "fill", 3},
	{"rect.series-compliant", "fill", 3},
	{"#compliance-grace .pattern-grace", "fill", 3},
	{"#compliance-non .pattern-non", "fill", 3},
	{"rect.series-versions", "fill", 3},
	{".chart-svg text", "fill", 4.5},
	{".chart-svg text.heading", "fill", 4.5},
}

// chartsReadable fails the test for each part of the charts whose colour, as the tab now
// renders it, has too little contrast against the page's background.
func chartsReadable(t *testing.T, tab *browsertest.Tab, scheme string) {
	t.Helper()
	read := func(selector, property string) string {
		return browsertest.Get(tab, chromedp.Evaluate[string](fmt.Sprintf(
			`(() => { const el = document.querySelector(%q); return el ? getComputedStyle(el)[%q] : ""; })()`, selector, property)))
	}
	background, err := parseRGB(read("body", "backgroundColor"))
	if err != nil {
		t.Fatalf("%s: the page's background: %v", scheme, err)
	}
	for _, e := range chartElements {
		c, err := parseRGB(read(e.selector, e.property))
		if err != nil {
			t.Errorf("%s: %s: %v", scheme, e.selector, err)
			continue
		}
		if ratio := contrast(c, background); ratio < e.least {
			t.Errorf("%s colours: %s is %v on %v, contrast %.2f, want at least %.1f", scheme, e.selector, c, background, ratio, e.least)
		}
	}
}

// parseRGB reads a colour as the browser computes it: "rgb(r, g, b)".
func parseRGB(s string) ([3]float64, error) {
	var c [3]float64
	if _, err := fmt.Sscanf(s, "rgb(%f, %f, %f)", &c[0], &c[1], &c[2]); err != nil {
		return c, fmt.Errorf("colour %q: %w", s, err)
	}
	return c, nil
}

// contrast is the contrast ratio of two colours (WCAG 2.1's definition).
func contrast(a, b [3]float64) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

func luminance(c [3]float64) float64 {
	var l [3]float64
	for i, v := range c {
		v /= 255
		if v <= 0.03928 {
			l[i] = v / 12.92
		} else {
			l[i] = math.Pow((v+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
}
