package api_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/ui/browsertest"
)

// In headless Chromium, in English and German, an administrator tests the connection to
// the directory, saves it, gives the groups their rules and synchronises; the page works
// without JavaScript and passes the accessibility check at every step.
func TestBrowserDirectorySettings(t *testing.T) {
	browser := browsertest.New(t)
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	w.svc.Directory.UseSource(oneLDAP{})
	ts := httptest.NewTLSServer(w.srv.Echo())
	t.Cleanup(ts.Close)
	ctx := context.Background()
	policy := w.policy(w.tenant)

	tab := signedIn(t, browser, w, ts.URL, "en-GB,en;q=0.9")
	tab.Do(chromedp.Navigate(ts.URL+"/ui/settings/directory"), chromedp.WaitVisible(chromedp.CSS("#ldap_url")))
	tab.CheckAccessibility()
	tab.Do(
		chromedp.SetValue(chromedp.CSS("#ldap_url"), "ldaps://dc1.musterstadt.example"),
		chromedp.SetValue(chromedp.CSS("#bind_dn"), "cn=sync"),
		chromedp.SetValue(chromedp.CSS("#bind_password"), "secret"),
		chromedp.SetValue(chromedp.CSS("#base_dn"), "dc=musterstadt"),
		chromedp.Click(chromedp.CSS("button[formaction]")),
		chromedp.WaitVisible(chromedp.CSS("#tested")),
	)
	if text := tab.Text(); !strings.Contains(text, "People found: 1") && !strings.Contains(text, "Gefundene Personen: 1") {
		t.Fatalf("after the test: %q", text)
	}
	tab.CheckAccessibility()
	if c, _ := w.svc.Directory.TenantConfig(ctx, w.tenant); c.HasLDAP() {
		t.Fatal("testing the connection saved the settings")
	}
	// Each form leads to a new page; the next step waits for it, so that no navigation of
	// the test's own cuts short the one the form started.
	tab.Do(chromedp.SetValue(chromedp.CSS("#bind_password"), "secret"))
	tab.Load(chromedp.Click(chromedp.CSS(`form[action="/ui/settings/directory"] button:not([formaction])`)))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("p.done")))
	if c, _ := w.svc.Directory.TenantConfig(ctx, w.tenant); !c.HasLDAP() {
		t.Fatal("the settings were not saved")
	}
	tab.Do(
		chromedp.WaitVisible(chromedp.CSS("#rules")),
		chromedp.SetValue(chromedp.CSS("#rules"), "Verwaltung = "+policy.Name+", invite"),
	)
	tab.Load(chromedp.Submit(chromedp.CSS("#rules")))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("p.done")))
	if rules, _ := w.svc.Directory.Rules(ctx, w.tenant); len(rules) != 1 {
		t.Fatalf("rules after saving: %+v", rules)
	}
	tab.Do(chromedp.WaitVisible(chromedp.CSS("#dry_run")))
	tab.Load(chromedp.Submit(chromedp.CSS("#dry_run")))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("#synced")))
	if text := tab.Text(); !strings.Contains(text, "joiners: 1") && !strings.Contains(text, "neu: 1") {
		t.Fatalf("after the sync: %q", text)
	}
	tab.CheckAccessibility()
	if rules, _ := w.svc.Directory.Rules(ctx, w.tenant); len(rules) != 1 || !rules[0].AutoInvite || rules[0].PolicyID != policy.ID {
		t.Fatalf("rules: %+v", rules)
	}

	de := signedIn(t, browser, w, ts.URL, "de-DE,de;q=0.9")
	de.Do(chromedp.Navigate(ts.URL+"/ui/settings/directory"), chromedp.WaitVisible(chromedp.CSS("#ldap_url")))
	if text := de.Text(); !strings.Contains(text, "Verbindung testen") {
		t.Fatalf("the German page: %q", text)
	}
	de.CheckAccessibility()
}
