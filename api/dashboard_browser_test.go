package api_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/ui/browsertest"
)

const desktopUA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"

// In headless Chromium an administrator signs in with password and authenticator code for
// the first time, chooses a password, creates a work policy and describes it, invites an
// employee and opens a device (the apps of a policy: TestBrowserPolicyEditor). Every page passes the
// accessibility check.
func TestBrowserDashboardJourney(t *testing.T) {
	browser := browsertest.New(t)
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	ctx := context.Background()
	_, creds, err := w.svc.Access.CreateAdmin(ctx, "test", w.tenant, "it@musterstadt.example", mdm.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Enrolment.SetTenantContacts(ctx, "test", w.tenant, enrolment.Contacts{PrivacyContact: "Datenschutz Musterstadt, datenschutz@musterstadt.example"}); err != nil {
		t.Fatal(err)
	}
	d := w.device(w.tenant)
	ts := httptest.NewTLSServer(w.srv.Echo())
	t.Cleanup(ts.Close)
	tab := browser.Phone(t, desktopUA, "de-DE,de;q=0.9")

	tab.Do(chromedp.Navigate(ts.URL+"/ui/"), chromedp.WaitVisible(chromedp.CSS("#password")))
	tab.CheckAccessibility()
	tab.Screenshot("signin")
	tab.Do(
		chromedp.SendKeys(chromedp.CSS("#tenant"), "musterstadt"),
		chromedp.SendKeys(chromedp.CSS("#email"), creds.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), creds.Password),
	)
	tab.Load(chromedp.Submit(chromedp.CSS("#password")))
	tab.Do(
		chromedp.WaitVisible(chromedp.CSS("#secret")),
	)
	if got := browsertest.Get(tab, chromedp.Text(chromedp.CSS("#secret"))); got != creds.TOTPSecret {
		t.Errorf("set-up shows the secret %q, want %q", got, creds.TOTPSecret)
	}
	if width := browsertest.Get(tab, chromedp.Evaluate[int](`document.querySelector("img.qr").naturalWidth`)); width == 0 {
		t.Error("the QR code of the secret does not load")
	}
	tab.CheckAccessibility()
	tab.Screenshot("factor-setup")
	code, _ := totp.GenerateCode(creds.TOTPSecret, time.Now())
	tab.Do(
		chromedp.SendKeys(chromedp.CSS("#code"), code),
	)
	tab.Load(chromedp.Submit(chromedp.CSS("#code")))
	tab.Do(
		chromedp.WaitVisible(chromedp.CSS("#recovery-codes")),
	)
	if n := browsertest.Get(tab, chromedp.Evaluate[int](`document.querySelectorAll("#recovery-codes li").length`)); n != access.RecoveryCodes {
		t.Errorf("%d recovery codes shown, want %d", n, access.RecoveryCodes)
	}
	tab.CheckAccessibility()
	tab.Load(chromedp.Click(chromedp.CSS("a.button")))
	tab.Do(
		chromedp.WaitVisible(chromedp.CSS("#password")),
		chromedp.SendKeys(chromedp.CSS("#password"), "ein eigenes langes Passwort"),
	)
	tab.Load(chromedp.Submit(chromedp.CSS("#password")))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("nav.dash")))
	if text := tab.Text(); !strings.Contains(text, "Übersicht") || !strings.Contains(text, "1 Geräte") {
		t.Errorf("overview:\n%s", text)
	}
	tab.CheckAccessibility()
	tab.Screenshot("overview")

	// A work policy with its description.
	tab.Do(
		chromedp.Navigate(ts.URL+"/ui/policies"),
		chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), "Rathaus"),
	)
	tab.Load(chromedp.Submit(chromedp.CSS("#name")))
	tab.Do(
		chromedp.WaitVisible(chromedp.CSS("#policy-form")),
		chromedp.SendKeys(chromedp.CSS("#description"), "Die Arbeitsgeräte im Rathaus"),
	)
	tab.Load(chromedp.Submit(chromedp.CSS("#policy-form")))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("p.done")))
	tab.CheckAccessibility()
	tab.Screenshot("policy")
	ps, err := w.svc.WorkPolicy.WorkPolicies(ctx, w.tenant)
	if err != nil || len(ps) != 1 {
		t.Fatalf("policies: %+v, %v", ps, err)
	}
	p, err := w.svc.WorkPolicy.WorkPolicy(ctx, w.tenant, ps[0].ID)
	if err != nil || p.Description != "Die Arbeitsgeräte im Rathaus" || p.Version != 2 {
		t.Errorf("the saved policy: %+v, %v", p, err)
	}

	// An invitation, whose letter is shown once, ready to print: the QR code, the steps,
	// the link with the code, the privacy contact.
	tab.Do(
		chromedp.Navigate(ts.URL+"/ui/invitations"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "anna.berg@musterstadt.example"),
		chromedp.SendKeys(chromedp.CSS("#name"), "Anna Berg"),
	)
	tab.Load(chromedp.Submit(chromedp.CSS("#email")))
	tab.Do(
		chromedp.WaitVisible(chromedp.CSS("#letters-done")),
	)
	letter := tab.Text()
	for _, want := range []string{"Die Einladung für anna.berg@musterstadt.example ist erstellt", "Guten Tag Anna Berg,",
		"Scannen Sie den QR-Code", "https://mdm.musterstadt.example/e/", "Fragen zum Datenschutz beantwortet: Datenschutz Musterstadt",
		"Zurück zu den Einladungen"} {
		if !strings.Contains(letter, want) {
			t.Errorf("the letter lacks %q:\n%s", want, letter)
		}
	}
	if width := browsertest.Get(tab, chromedp.Evaluate[int](`document.querySelector("section.letter img.qr").naturalWidth`)); width == 0 {
		t.Error("the letter's QR code does not load")
	}
	if lang := browsertest.Get(tab, chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "de" {
		t.Errorf("the letter is in %q", lang)
	}
	tab.CheckAccessibility()
	tab.Screenshot("invited")

	// The device list and a device; opening it is on record.
	tab.Do(
		chromedp.Navigate(ts.URL+"/ui/devices"),
		chromedp.WaitVisible(chromedp.CSS("table")),
	)
	tab.CheckAccessibility()
	tab.Screenshot("devices")
	tab.Load(chromedp.Click(chromedp.CSS(`a[href="/ui/devices/` + d.ID + `"]`)))
	tab.Do(
		chromedp.WaitVisible(chromedp.CSS("#state")),
	)
	tab.CheckAccessibility()
	tab.Screenshot("device")
	actions := w.auditActions(w.tenant)
	if last := actions[len(actions)-1]; !strings.HasPrefix(last, "device.view device:"+d.ID+" by admin:") {
		t.Errorf("the last audit event is %q, want the view of the device", last)
	}
}
