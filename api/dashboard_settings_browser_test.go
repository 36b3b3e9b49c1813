package api_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/ui/browsertest"
)

// signedIn opens a tab in which a new administrator has signed in for the first time:
// password, authenticator set-up, recovery codes, own password.
func signedIn(t *testing.T, browser *browsertest.Browser, w *apiWorld, base, lang string) *browsertest.Tab {
	t.Helper()
	return signedInAs(t, browser, w, base, lang, mdm.RoleAdmin)
}

// signedInAs is signedIn with a new administrator of the role.
func signedInAs(t *testing.T, browser *browsertest.Browser, w *apiWorld, base, lang string, role mdm.Role) *browsertest.Tab {
	t.Helper()
	_, creds, err := w.svc.Access.CreateAdmin(context.Background(), "test", w.tenant, string(role)+"-"+mdm.NewID()[:6]+"@musterstadt.example", role)
	if err != nil {
		t.Fatal(err)
	}
	tab := browser.Phone(t, desktopUA, lang)
	tab.Do(
		chromedp.Navigate(base+"/ui/signin"),
		chromedp.WaitVisible(chromedp.CSS("#password")),
		chromedp.SendKeys(chromedp.CSS("#tenant"), w.tenant.Name),
		chromedp.SendKeys(chromedp.CSS("#email"), creds.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), creds.Password),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("#secret")),
	)
	code, _ := totp.GenerateCode(creds.TOTPSecret, time.Now())
	tab.Do(
		chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.Submit(chromedp.CSS("#code")),
		chromedp.WaitVisible(chromedp.CSS("#recovery-codes")),
		chromedp.Click(chromedp.CSS("a.button")),
		chromedp.WaitVisible(chromedp.CSS("#password")),
		chromedp.SendKeys(chromedp.CSS("#password"), "an own long password"),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("nav.dash")),
	)
	return tab
}

// In headless Chromium an administrator changes the retention, uploads the push
// certificate, binds an Android enterprise and looks at administrators and tokens; then
// edits an Android app's managed configuration in the form made from its schema and an
// iOS app's in typed rows. Every page passes the accessibility check.
func TestBrowserSettingsAndConfigurationEditor(t *testing.T) {
	browser := browsertest.New(t)
	w := editorWorld(t, storetest.SQLite)
	ctx := context.Background()
	ts := httptest.NewTLSServer(w.srv.Echo())
	t.Cleanup(ts.Close)
	tab := signedIn(t, browser, w, ts.URL, "en-GB,en;q=0.9")

	tab.Do(chromedp.Navigate(ts.URL+"/ui/settings"), chromedp.WaitVisible(chromedp.CSS("#device_retention_days")))
	tab.CheckAccessibility()
	tab.Screenshot("settings")
	tab.Do(
		chromedp.SetValue(chromedp.CSS("#device_retention_days"), "60"),
		chromedp.SetValue(chromedp.CSS("#inactivity_days"), "30"),
	)
	// Each form leads to a new page; Load waits for it, so that the next step looks at it
	// and not at the page being left.
	tab.Load(chromedp.Submit(chromedp.CSS("#device_retention_days")))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("p.done")))
	if dp, _ := w.svc.DataProtection.TenantDataProtection(ctx, w.tenant); dp.DeviceRetentionDays != 60 || dp.InactivityDays != 30 {
		t.Errorf("settings after saving: %+v", dp)
	}

	dir := t.TempDir()
	cert, key := filepath.Join(dir, "push.pem"), filepath.Join(dir, "push.key")
	_ = os.WriteFile(cert, []byte(fakePushPEM), 0o600)
	_ = os.WriteFile(key, []byte(fakeKeyPEM), 0o600)
	tab.Do(
		chromedp.SetUploadFiles(chromedp.CSS("#cert"), []string{cert}),
		chromedp.SetUploadFiles(chromedp.CSS("#key"), []string{key}),
	)
	tab.Load(chromedp.Submit(chromedp.CSS("#cert")))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("dl#push-status")))
	if text := tab.Text(); !strings.Contains(text, "com.apple.mgmt.External.") {
		t.Errorf("the settings do not show the uploaded certificate:\n%s", text)
	}
	tab.Do(chromedp.SendKeys(chromedp.CSS("#enterprise"), "enterprises/LC0123abcd"))
	tab.Load(chromedp.Submit(chromedp.CSS("#enterprise")))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("#push-url")))
	tab.CheckAccessibility()
	tab.Screenshot("settings-bound")

	for _, page := range []string{"admins", "tokens"} {
		tab.Do(chromedp.Navigate(ts.URL+"/ui/settings/"+page), chromedp.WaitVisible(chromedp.CSS("table")))
		tab.CheckAccessibility()
		tab.Screenshot(page)
	}

	p := w.policyWith(mdm.AppAssignment{Platform: mdm.PlatformAndroid, AppID: mailApp, InstallType: mdm.InstallRequired,
		ManagedConfig: `{"server":"mail.rathaus.example","port":993}`})
	tab.Do(chromedp.Navigate(ts.URL+"/ui/policies/"+p.ID), chromedp.WaitVisible(chromedp.CSS(`[id="cfg/0/port"]`)))
	tab.CheckAccessibility()
	tab.Screenshot("config-editor")
	tab.Do(
		chromedp.SetValue(chromedp.CSS(`[id="cfg/0/port"]`), "143"),
		chromedp.SetValue(chromedp.CSS(`[id="cfg/0/sync"]`), "hourly"),
		chromedp.Click(chromedp.CSS(`[id="cfg/0/folders-1"]`)),
		chromedp.SendKeys(chromedp.CSS(`[id="cfg/0/aliases/0/address"]`), "post@rathaus.example"),
	)
	tab.Load(chromedp.Submit(chromedp.CSS("#policy-form")))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("p.done")))
	saved, err := w.svc.WorkPolicy.WorkPolicy(ctx, w.tenant, p.ID)
	if err != nil || len(saved.Apps) != 1 ||
		saved.Apps[0].ManagedConfig != `{"aliases":[{"address":"post@rathaus.example"}],"folders":["sent"],"port":143,"server":"mail.rathaus.example","sync":"hourly"}` {
		t.Errorf("the saved configuration: %+v, %v", saved.Apps, err)
	}

	ios := w.policyWith(mdm.AppAssignment{Platform: mdm.PlatformIOS, AppID: "com.example.mail", InstallType: mdm.InstallRequired,
		ManagedConfig: `{"server":"mail.rathaus.example"}`})
	tab.Do(
		chromedp.Navigate(ts.URL+"/ui/policies/"+ios.ID),
		chromedp.WaitVisible(chromedp.CSS("#ios-0-key-1")),
		chromedp.SendKeys(chromedp.CSS("#ios-0-key-1"), "port"),
		chromedp.SetValue(chromedp.CSS("#ios-0-type-1"), "integer"),
		chromedp.SendKeys(chromedp.CSS("#ios-0-value-1"), "993"),
	)
	tab.CheckAccessibility()
	tab.Screenshot("config-rows")
	tab.Load(chromedp.Submit(chromedp.CSS("#policy-form")))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("p.done")))
	if saved, _ := w.svc.WorkPolicy.WorkPolicy(ctx, w.tenant, ios.ID); len(saved.Apps) != 1 || saved.Apps[0].ManagedConfig != `{"port":993,"server":"mail.rathaus.example"}` {
		t.Errorf("the saved iOS configuration: %+v", saved.Apps)
	}
}
