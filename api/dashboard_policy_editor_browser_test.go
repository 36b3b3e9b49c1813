package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/ui/browsertest"
)

// In headless Chromium an administrator opens a work policy and picks an Android app in
// the managed Google Play iframe, opened and heard through the gapi script as with Google
// (here the AMAPI fake's page and its stand-in of the script, whose origin is the only
// one besides the page's own that the page's Content-Security-Policy names); the app
// joins the form with its settings. A port that is no whole number comes back with the reason beside the field
// and everything typed kept; fixed, the policy saves. Then an iPhone app is picked from
// Apps and Books, and the Android app removed with its own button. Every page passes the
// accessibility check without a single violation.
func TestBrowserPolicyEditor(t *testing.T) {
	browser := browsertest.New(t)
	w, _, play := playWorld(t, storetest.SQLite)
	ctx := context.Background()
	if _, err := w.licensing.SetLicenceToken(ctx, "test", w.tenant.ID, []byte("Stadt Musterstadt")); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewTLSServer(w.srv.Echo())
	t.Cleanup(ts.Close)
	tab := signedIn(t, browser, w, ts.URL, "de-DE,de;q=0.9")
	p := w.policy(w.tenant)
	stored := func() mdm.WorkPolicy {
		got, err := w.svc.WorkPolicy.WorkPolicy(ctx, w.tenant, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	noViolations := func(page string) {
		t.Helper()
		if vs := tab.Violations(); len(vs) > 0 {
			t.Errorf("%s: accessibility: %v", page, vs)
		}
		tab.Screenshot(page)
	}

	tab.Do(chromedp.Navigate(ts.URL+"/ui/policies/"+p.ID), chromedp.WaitVisible(chromedp.CSS("#play-open")))
	noViolations("policy-empty")
	csp := browsertest.Get(tab, chromedp.Evaluate[string](`fetch(location.href).then(r => r.headers.get("Content-Security-Policy"))`, chromedp.EvalAwaitPromise))
	if csp != editorCSP(play.URL, play.URL) {
		t.Errorf("the editor's page has the policy %q", csp)
	}
	if loaded := browsertest.Get(tab, chromedp.Evaluate[bool](`typeof window.gapi !== "undefined"`)); loaded {
		t.Error("the gapi script is loaded before the picker is opened")
	}
	tab.Do(
		chromedp.Click(chromedp.CSS("#play-open")),
		chromedp.WaitVisible(chromedp.CSS("#play-iframe")),
		chromedp.WaitNotVisible(chromedp.CSS("#play-open")),
		// The parent's timeline gets the iframe's entry once the iframe has loaded.
		chromedp.Poll[chromedp.Void](`performance.getEntriesByName(document.getElementById("play-iframe").src).length > 0`),
	)
	if n := browsertest.Get(tab, chromedp.Evaluate[int](`document.querySelectorAll('script[src="`+play.URL+`/js/api.js"]').length`)); n != 1 {
		t.Errorf("the gapi script is loaded %d times", n)
	}
	frame := browsertest.Get(tab, chromedp.Nodes(chromedp.CSS("#play-iframe")))
	tab.Do(chromedp.WaitVisible(chromedp.CSS(`button[data-package="`+mailApp+`"]`), chromedp.FromNode(frame[0])))
	noViolations("policy-play")
	tab.Load(chromedp.Click(chromedp.CSS(`button[data-package="`+mailApp+`"]`), chromedp.FromNode(frame[0])))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("#policy-unsaved")), chromedp.WaitVisible(chromedp.CSS(`[id="cfg/0/port"]`)))
	if text := tab.Text(); !strings.Contains(text, "Mail · "+mailApp) {
		t.Errorf("the picked app is not in the form:\n%s", text)
	}
	if n := len(stored().Apps); n != 0 {
		t.Errorf("picking saved %d apps", n)
	}
	noViolations("policy-picked")

	tab.Do(
		chromedp.SendKeys(chromedp.CSS(`[id="cfg/0/server"]`), "mail.rathaus.example"),
		chromedp.SetValue(chromedp.CSS(`[id="cfg/0/port"]`), "993.5"),
		chromedp.SendKeys(chromedp.CSS("#description"), "Rathaus"),
	)
	tab.Load(chromedp.Click(chromedp.CSS("#save")))
	tab.Do(chromedp.WaitVisible(chromedp.CSS(`[id="cfg/0/port-error"]`)))
	if msg := browsertest.Get(tab, chromedp.Text(chromedp.CSS(`[id="cfg/0/port-error"]`))); msg != "„993.5“ ist keine ganze Zahl." {
		t.Errorf("the port's refusal says %q", msg)
	}
	for sel, want := range map[string]string{`[id="cfg/0/server"]`: "mail.rathaus.example", `[id="cfg/0/port"]`: "993.5", "#description": "Rathaus"} {
		if got := browsertest.Get(tab, chromedp.Value(chromedp.CSS(sel))); got != want {
			t.Errorf("%s holds %q after the refusal, want %q", sel, got, want)
		}
	}
	if got := stored(); got.Version != 1 || len(got.Apps) != 0 {
		t.Errorf("the refused form changed the policy: %+v", got)
	}
	noViolations("policy-refused")
	tab.Do(chromedp.SetValue(chromedp.CSS(`[id="cfg/0/port"]`), "993"))
	tab.Load(chromedp.Click(chromedp.CSS("#save")))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("p.done")))
	if got := stored(); len(got.Apps) != 1 || got.Apps[0].ManagedConfig != `{"port":993,"server":"mail.rathaus.example"}` || got.Description != "Rathaus" {
		t.Errorf("the saved policy: %+v", got)
	}

	tab.Load(chromedp.Click(chromedp.CSS(`button[value="ios:de.musterstadt.mail"]`)))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("#policy-unsaved")), chromedp.WaitVisible(chromedp.CSS("#ios-1-key-0")))
	noViolations("policy-ios-picked")
	tab.Do(
		chromedp.SendKeys(chromedp.CSS("#ios-1-key-0"), "server"),
		chromedp.SendKeys(chromedp.CSS("#ios-1-value-0"), "mail.rathaus.example"),
	)
	tab.Load(chromedp.Click(chromedp.CSS("#save")))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("p.done")))
	if got := stored(); len(got.Apps) != 2 || got.Apps[1].AppID != "de.musterstadt.mail" || got.Apps[1].ManagedConfig != `{"server":"mail.rathaus.example"}` {
		t.Errorf("after picking the iPhone app: %+v", got.Apps)
	}

	tab.Load(chromedp.Click(chromedp.CSS("#remove-0")))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("p.done")))
	if got := stored(); len(got.Apps) != 1 || got.Apps[0].AppID != "de.musterstadt.mail" {
		t.Errorf("after removing the Android app: %+v", got.Apps)
	}
	noViolations("policy-removed")
}

// When the gapi script cannot be loaded (here: nothing answers at its origin), the editor
// says so beside the picker's button and keeps the look-up by package name.
func TestBrowserPolicyEditorWithoutTheGapiScript(t *testing.T) {
	browser := browsertest.New(t)
	gone := httptest.NewTLSServer(http.NotFoundHandler())
	gone.Close()
	w, _, _ := playWorldScript(t, storetest.SQLite, gone.URL)
	ts := httptest.NewTLSServer(w.srv.Echo())
	t.Cleanup(ts.Close)
	tab := signedIn(t, browser, w, ts.URL, "de-DE,de;q=0.9")
	p := w.policy(w.tenant)
	tab.Do(
		chromedp.Navigate(ts.URL+"/ui/policies/"+p.ID),
		chromedp.Click(chromedp.CSS("#play-open")),
		chromedp.Poll[chromedp.Void](`document.getElementById("play-status").textContent !== ""`),
	)
	if msg := browsertest.Get(tab, chromedp.Text(chromedp.CSS("#play-status"))); !strings.Contains(msg, "Googles Skript für verwaltetes Google Play ließ sich nicht laden") {
		t.Errorf("the status says %q", msg)
	}
	if n := browsertest.Get(tab, chromedp.Evaluate[int](`document.querySelectorAll("#play-frame iframe").length`)); n != 0 {
		t.Errorf("%d iframes opened without the script", n)
	}
	tab.Do(chromedp.WaitVisible(chromedp.CSS("#play_query")), chromedp.WaitEnabled(chromedp.CSS("#play-open")))
	if vs := tab.Violations(); len(vs) > 0 {
		t.Errorf("accessibility: %v", vs)
	}
}
