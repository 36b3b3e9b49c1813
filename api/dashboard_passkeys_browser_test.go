package api_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/trennwand/trennwand/api"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/ui/browsertest"
	"github.com/trennwand/trennwand/ui/dashboard"
)

// In headless Chromium with a software authenticator (the DevTools virtual authenticator:
// internal transport, resident keys, user verification) an administrator adds a passkey
// on their account page, signs out, and signs in again with the password and the
// passkey. The installation is reached as https://localhost:PORT, its public URL, so that
// the passkey belongs to the host "localhost". Every page passes the accessibility check.
func TestBrowserPasskeySignIn(t *testing.T) {
	browser := browsertest.New(t)
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	ctx := context.Background()
	_, creds, err := w.svc.Access.CreateAdmin(ctx, "test", w.tenant, "it@musterstadt.example", mdm.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	public, _ := url.Parse("https://localhost:" + strings.Split(ln.Addr().String(), ":")[1])
	srv := api.New(api.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: prometheus.NewRegistry()})
	d, err := dashboard.New(dashboard.Config{Service: w.svc, PublicURL: public})
	if err != nil {
		t.Fatal(err)
	}
	srv.MountDashboard(w.svc, d)
	ts := httptest.NewUnstartedServer(srv.Echo())
	ts.Listener = ln
	ts.StartTLS()
	t.Cleanup(ts.Close)

	tab := browser.Phone(t, desktopUA, "de-DE,de;q=0.9")
	var authenticator webauthn.AuthenticatorID
	tab.Do(chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		if _, err := cdp.Call(ctx, target, webauthn.Enable, webauthn.EnableParams{}); err != nil {
			return err
		}
		res, err := cdp.Call(ctx, target, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
			Options: &webauthn.VirtualAuthenticatorOptions{Protocol: webauthn.AuthenticatorProtocolCtap2,
				Ctap2version: webauthn.Ctap2versionCtap21, Transport: webauthn.AuthenticatorTransportInternal,
				HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true}})
		authenticator = res.AuthenticatorID
		return err
	}))

	// The first sign-in: password, the authenticator app's code, a password of one's own.
	tab.Do(chromedp.Navigate(public.String()+"/ui/"), chromedp.WaitVisible(chromedp.CSS("#password")),
		chromedp.SendKeys(chromedp.CSS("#tenant"), "musterstadt"),
		chromedp.SendKeys(chromedp.CSS("#email"), creds.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), creds.Password))
	tab.Load(chromedp.Submit(chromedp.CSS("#password")))
	code, _ := totp.GenerateCode(creds.TOTPSecret, time.Now())
	tab.Do(chromedp.WaitVisible(chromedp.CSS("#code")), chromedp.SendKeys(chromedp.CSS("#code"), code))
	tab.Load(chromedp.Submit(chromedp.CSS("#code")))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("#recovery-codes")))
	tab.Load(chromedp.Click(chromedp.CSS("a.button")))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("#password")), chromedp.SendKeys(chromedp.CSS("#password"), "a long password of my own"))
	tab.Load(chromedp.Submit(chromedp.CSS("#password")))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("nav.dash")))

	// The account page: a passkey named "Office laptop".
	tab.Load(chromedp.Click(chromedp.CSS(`nav.dash a[href="/ui/account"]`)))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("#passkey-name")))
	tab.CheckAccessibility()
	tab.Screenshot("account")
	tab.Do(chromedp.SendKeys(chromedp.CSS("#passkey-name"), "Office laptop"))
	tab.Load(chromedp.Click(chromedp.CSS(`form[data-passkey="create"] button`)))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("#passkeys")))
	if text := tab.Text(); !strings.Contains(text, "Office laptop") || !strings.Contains(text, "Der Passkey ist hinzugefügt") {
		t.Fatalf("account page after adding:\n%s", text)
	}
	tab.CheckAccessibility()
	tab.Screenshot("account-passkey")

	// Sign out, and in again with the password and the passkey.
	tab.Load(chromedp.Click(chromedp.CSS("form.signout button")))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("#password")),
		chromedp.SendKeys(chromedp.CSS("#tenant"), "musterstadt"),
		chromedp.SendKeys(chromedp.CSS("#email"), creds.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), "a long password of my own"))
	tab.Load(chromedp.Submit(chromedp.CSS("#password")))
	tab.Do(chromedp.WaitVisible(chromedp.CSS(`form[data-passkey="get"] button`)))
	tab.CheckAccessibility()
	tab.Screenshot("factor-passkey")
	tab.Load(chromedp.Click(chromedp.CSS(`form[data-passkey="get"] button`)))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("nav.dash")))
	if e := w.lastAudit(w.tenant); e.Action != "admin.sign_in" || !strings.Contains(string(e.Details), `"second_factor":"passkey"`) {
		t.Errorf("the sign-in is recorded as %s %s, want one with the passkey", e.Action, e.Details)
	}
	stored := browsertest.Get(tab, chromedp.Action[int](func(ctx context.Context, target *chromedp.Target) (int, error) {
		res, err := cdp.Call(ctx, target, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: authenticator})
		if err != nil || len(res.Credentials) != 1 {
			return 0, err
		}
		return int(res.Credentials[0].SignCount), nil
	}))
	if stored < 1 {
		t.Errorf("the virtual authenticator's counter is %d after the sign-in", stored)
	}

	// The administrators page resets a colleague's lost second factor with a reason.
	colleague, _, err := w.svc.Access.CreateAdmin(ctx, "test", w.tenant, "kim@musterstadt.example", mdm.RoleHelpdesk)
	if err != nil {
		t.Fatal(err)
	}
	reason := `#reason-` + colleague.ID
	tab.Do(chromedp.Navigate(public.String()+"/ui/settings/admins"), chromedp.WaitVisible(chromedp.CSS("details summary")),
		chromedp.Click(chromedp.CSS("details summary")), chromedp.WaitVisible(chromedp.CSS(reason)))
	tab.CheckAccessibility()
	tab.Screenshot("admins-reset")
	tab.Do(chromedp.SendKeys(chromedp.CSS(reason), "Telefon verloren, Ticket 4711"))
	tab.Load(chromedp.Submit(chromedp.CSS(reason)))
	tab.Do(chromedp.WaitVisible(chromedp.CSS("p.done")))
	if e := w.lastAudit(w.tenant); e.Action != "admin.second_factor_reset" || e.Subject != "admin:"+colleague.ID {
		t.Errorf("last event %s %s, want the colleague's reset", e.Action, e.Subject)
	}
}
