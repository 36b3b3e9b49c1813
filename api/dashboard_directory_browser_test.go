package api_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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
	tab.Do(
		chromedp.SetValue(chromedp.CSS("#bind_password"), "secret"),
		chromedp.Click(chromedp.CSS(`form[action="/ui/settings/directory"] button:not([formaction])`)),
	)
	eventually(t, "the settings are saved", func() bool {
		c, _ := w.svc.Directory.TenantConfig(ctx, w.tenant)
		return c.HasLDAP()
	})
	tab.Do(
		chromedp.Navigate(ts.URL+"/ui/settings/directory"),
		chromedp.WaitVisible(chromedp.CSS("#rules")),
		chromedp.SetValue(chromedp.CSS("#rules"), "Verwaltung = "+policy.Name+", invite"),
		chromedp.Submit(chromedp.CSS("#rules")),
	)
	eventually(t, "the rules are saved", func() bool {
		rules, _ := w.svc.Directory.Rules(ctx, w.tenant)
		return len(rules) == 1
	})
	tab.Do(
		chromedp.Navigate(ts.URL+"/ui/settings/directory"),
		chromedp.WaitVisible(chromedp.CSS("#dry_run")),
		chromedp.Submit(chromedp.CSS("#dry_run")),
		chromedp.WaitVisible(chromedp.CSS("#synced")),
	)
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

// eventually waits up to 30 seconds for what a form's request does.
func eventually(t *testing.T, what string, done func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if done() {
			return
		}
	}
	t.Fatalf("%s: not within 30 seconds", what)
}
