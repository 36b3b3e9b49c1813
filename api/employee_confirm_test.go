package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// Employees confirm who they are: with the tenant's setting, the portal and the phone's
// sign-in sheet send the employee to the tenant's provider (mockoidc here) after the
// invitation's code, and the enrolment goes on only for the invitation's employee.

// eachConfirmWorld runs fn on both databases with a full server (portal, Apple, Android)
// on a TLS listener whose tenant has a provider, asking its employees to sign in there
// or not.
func eachConfirmWorld(t *testing.T, employeesConfirm bool, fn func(t *testing.T, fw *fullWorld, w *ssoWorld)) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			fw := newFullWorld(t, backend)
			p := newIdP(t)
			fw.svc.Enrolment.UseProviderClient(p.client)
			ts := httptest.NewTLSServer(fw.srv.Echo())
			t.Cleanup(ts.Close)
			w := &ssoWorld{apiWorld: fw.apiWorld, idp: p, ts: ts}
			setEmployeeProvider(t, w, fw.tenant, employeesConfirm)
			fn(t, fw, w)
		})
	}
}

// setEmployeeProvider sets the tenant's provider to the world's mockoidc.
func setEmployeeProvider(t *testing.T, w *ssoWorld, tn mdm.Tenant, employeesConfirm bool) {
	t.Helper()
	_, err := w.svc.Access.SSO().SetProvider(context.Background(), "test", tn, access.SSOSettings{DisplayName: "Rathaus-Konto",
		Issuer: w.idp.m.Issuer(), ClientID: w.idp.m.ClientID, ClientSecret: w.idp.m.ClientSecret, AdminGroups: []string{"mdm-admins"},
		MFA: access.MFALocal, EmployeesConfirm: employeesConfirm})
	if err != nil {
		t.Fatal(err)
	}
}

// employee is the person at the provider whom an invitation is for, with the address in
// other letters than IT typed it.
func employee() *person {
	return &person{sub: "7b1e-bauer", email: "Anna.Bauer@Musterstadt.Example"}
}

// colleague is someone else with an account at the same provider.
func colleague() *person {
	return &person{sub: "99aa-otto", email: "otto.schmidt@musterstadt.example"}
}

func invite(t *testing.T, w *apiWorld, tn mdm.Tenant, platform mdm.Platform) enrolment.NewInvitation {
	t.Helper()
	inv, err := w.svc.Enrolment.Invite(context.Background(), "test", tn, enrolment.InviteRequest{Email: "anna.bauer@musterstadt.example",
		Platform: platform, ManagedAppleID: "anna@musterstadt.example"})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// accept acknowledges the notice on the portal for an Android phone and returns where the
// form leads.
func accept(t *testing.T, w *ssoWorld, b *ssoBrowser, code string) (int, string) {
	t.Helper()
	resp, err := b.client.PostForm(w.ts.URL+"/e/"+code+"/accept?lang=en", url.Values{"platform": {"android"},
		"notice_version": {mdm.NoticeVersion()}, "acknowledge": {"yes"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// throughProvider signs who in at the provider the browser was sent to and returns the
// callback on the test's server that the provider sends the browser back to.
func throughProvider(t *testing.T, w *ssoWorld, b *ssoBrowser, to string, who *person) string {
	t.Helper()
	if !strings.HasPrefix(to, w.idp.m.AuthorizationEndpoint()) {
		t.Fatalf("sent to %q, want the provider", to)
	}
	q, _ := url.Parse(to)
	if q.Query().Get("code_challenge_method") != "S256" || q.Query().Get("nonce") == "" || q.Query().Get("state") == "" {
		t.Errorf("the way to the provider lacks PKCE, nonce or state: %s", to)
	}
	w.idp.m.QueueUser(who)
	code, back, _ := b.get(to)
	if code != http.StatusFound {
		t.Fatalf("provider: %d", code)
	}
	u, _ := url.Parse(back)
	return w.ts.URL + u.RequestURI()
}

// invitationNow reads the invitation as stored.
func invitationNow(t *testing.T, w *apiWorld, inv enrolment.NewInvitation) mdm.Invitation {
	t.Helper()
	got, err := store.EnrolmentOf(w.store).Invitation(context.Background(), inv.Invitation.TenantID, inv.Invitation.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// The right employee signs in at the provider after the notice and the Android phone's
// enrolment goes on as without the sign-in; a colleague at the same provider is refused
// with a page in the employee's language, and the invitation stays as it was.
func TestThePortalAsksTheEmployeeToSignIn(t *testing.T) {
	eachConfirmWorld(t, true, func(t *testing.T, fw *fullWorld, w *ssoWorld) {
		inv := invite(t, fw.apiWorld, fw.tenant, mdm.PlatformAndroid)
		b := w.browser(t)
		if code, _, body := b.get(w.ts.URL + "/e/" + inv.Code); code != http.StatusOK || !strings.Contains(body, "sign in with your work account at “Rathaus-Konto”") {
			t.Fatalf("the notice does not say that a sign-in follows: %d\n%.2000s", code, body)
		}

		code, to := accept(t, w, b, inv.Code)
		if code != http.StatusSeeOther {
			t.Fatalf("accept: %d to %q, want the provider", code, to)
		}
		status, _, body := b.get(throughProvider(t, w, b, to, colleague()))
		if status != http.StatusForbidden || !strings.Contains(body, "for someone else") || !strings.Contains(body, "Nothing was set up") {
			t.Fatalf("a colleague's sign-in: %d\n%.1500s", status, body)
		}
		if got := invitationNow(t, fw.apiWorld, inv); got.UsedAt != nil || got.AcknowledgedAt != nil {
			t.Fatalf("the refused sign-in changed the invitation: %+v", got)
		}
		if ev := w.events(fw.tenant, audit.EmployeeConfirmRefused); len(ev) != 1 || !strings.Contains(string(ev[0].Details), "otto.schmidt") {
			t.Fatalf("refusals on record: %+v", ev)
		}

		code, to = accept(t, w, b, inv.Code)
		if code != http.StatusSeeOther {
			t.Fatalf("accept again: %d", code)
		}
		callback := throughProvider(t, w, b, to, employee())
		status, next, _ := b.get(callback)
		if status != http.StatusSeeOther || next != "/e/"+inv.Code+"?lang=en" {
			t.Fatalf("the employee's sign-in: %d to %q, want the invitation's page", status, next)
		}
		if got := invitationNow(t, fw.apiWorld, inv); got.UsedAt == nil || got.AcknowledgedAt == nil {
			t.Fatalf("the employee's sign-in did not go on with the enrolment: %+v", got)
		}
		if n := len(w.events(fw.tenant, audit.EmployeeConfirm)); n != 1 {
			t.Errorf("%d confirmations on record, want 1", n)
		}
		if n := len(w.events(fw.tenant, audit.InvitationRedeem)); n != 1 {
			t.Errorf("%d redemptions on record, want 1", n)
		}

		// The provider's answer is taken once.
		before := fw.rowCounts(t)
		if status, _, body := b.get(callback); status != http.StatusBadRequest || !strings.Contains(body, "run out") {
			t.Errorf("a replayed answer: %d\n%.800s", status, body)
		}
		if after := fw.rowCounts(t); after["devices"] != before["devices"] || after["invitations"] != before["invitations"] {
			t.Errorf("the replay changed something: %v → %v", before, after)
		}
	})
}

// An answer is refused unless it brings a state the browser holds that this server made:
// a forged state, a state without the browser's cookie, and tenant A's provider's code
// with tenant B's state all change nothing.
func TestAForgedOrForeignAnswerConfirmsNobody(t *testing.T) {
	eachConfirmWorld(t, true, func(t *testing.T, fw *fullWorld, w *ssoWorld) {
		forged := w.browser(t)
		u := w.ts.URL + "/e/signin/callback?code=x&state=forged-state"
		forged.client.Jar.SetCookies(mustURL(t, w.ts.URL+"/e/signin/"), []*http.Cookie{{Name: "trennwand_employee_state", Value: "forged-state"}})
		if status, _, _ := forged.get(u); status != http.StatusBadRequest {
			t.Errorf("a forged state: %d, want 400", status)
		}

		// Tenant B, nachbarort, has a provider of its own and an invitation.
		other := newIdP(t)
		wb := &ssoWorld{apiWorld: fw.apiWorld, idp: other, ts: w.ts}
		setEmployeeProvider(t, wb, fw.other, true)
		invB := invite(t, fw.apiWorld, fw.other, mdm.PlatformIOS)
		b := w.browser(t)
		toB := signInSheet(t, w, b, invB.Code, "anna@musterstadt.example")
		stateB := mustURL(t, toB).Query().Get("state")

		// Without the cookie, B's own state is refused too.
		stranger := w.browser(t)
		if status, _, _ := stranger.get(w.ts.URL + "/apple/signin/callback?code=x&state=" + url.QueryEscape(stateB)); status != http.StatusBadRequest {
			t.Errorf("a state without its browser's cookie: %d, want 400", status)
		}

		// A code of tenant A's provider, brought with B's state, is refused by B's.
		invA := invite(t, fw.apiWorld, fw.tenant, mdm.PlatformIOS)
		a := w.browser(t)
		toA := signInSheet(t, w, a, invA.Code, "anna@musterstadt.example")
		if !strings.HasPrefix(toB, other.m.AuthorizationEndpoint()) {
			t.Fatalf("B's sign-in goes to %q, want B's provider", toB)
		}
		callbackA := mustURL(t, throughProvider(t, w, a, toA, employee()))
		codeA := callbackA.Query().Get("code")
		resp, err := b.client.Get(w.ts.URL + "/apple/signin/callback?code=" + url.QueryEscape(codeA) + "&state=" + url.QueryEscape(stateB))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Location") != "" {
			t.Errorf("A's code for B's invitation: %d to %q\n%.600s", resp.StatusCode, resp.Header.Get("Location"), body)
		}
		if got := invitationNow(t, fw.apiWorld, invB); got.UsedAt != nil {
			t.Errorf("B's invitation was redeemed: %+v", got)
		}
		if n := len(w.events(fw.other, audit.EmployeeConfirm)); n != 0 {
			t.Errorf("%d confirmations of B on record, want none", n)
		}
	})
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// signInSheet enters the code on the phone's sign-in sheet and returns where it leads:
// the provider.
func signInSheet(t *testing.T, w *ssoWorld, b *ssoBrowser, code, account string) string {
	t.Helper()
	resp, err := b.client.PostForm(w.ts.URL+"/apple/signin", url.Values{"code": {code}, "user-identifier": {account}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the sign-in sheet: %d, want the way to the provider", resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

// On the iPhone the sign-in happens in the sheet after the code: the employee's ends in
// the same 308 to the enrolment's result URL with a token that opens the enrolment; a
// colleague's shows the form again, and the code still works.
func TestTheIPhonesSignInSheetAsksTheEmployeeToSignIn(t *testing.T) {
	eachConfirmWorld(t, true, func(t *testing.T, fw *fullWorld, w *ssoWorld) {
		inv := invite(t, fw.apiWorld, fw.tenant, mdm.PlatformIOS)
		b := w.browser(t)
		status, _, body := b.get(throughProvider(t, w, b, signInSheet(t, w, b, inv.Code, "anna@musterstadt.example"), colleague()))
		if status != http.StatusForbidden || !strings.Contains(body, "does not belong to this invitation") || !strings.Contains(body, `name="code"`) {
			t.Fatalf("a colleague in the sheet: %d\n%.800s", status, body)
		}
		if got := invitationNow(t, fw.apiWorld, inv); got.UsedAt != nil {
			t.Fatalf("the refused sign-in redeemed the invitation: %+v", got)
		}

		resp, err := b.client.Get(throughProvider(t, w, b, signInSheet(t, w, b, inv.Code, "anna@musterstadt.example"), employee()))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		to := resp.Header.Get("Location")
		token, ok := strings.CutPrefix(to, "apple-remotemanagement-user-login://authentication-results?access-token=")
		if resp.StatusCode != http.StatusPermanentRedirect || !ok || token == "" {
			t.Fatalf("the employee in the sheet: %d to %q, want 308 to the result URL", resp.StatusCode, to)
		}
		token, _ = url.QueryUnescape(token)
		d, err := fw.svc.Enrolment.DeviceByEnrolmentToken(context.Background(), token)
		if err != nil || d.Platform != mdm.PlatformIOS || d.State != mdm.DeviceInvited {
			t.Fatalf("the token opens %+v (%v), want the new iPhone", d, err)
		}
		if n := len(w.events(fw.tenant, audit.EmployeeConfirm)); n != 1 {
			t.Errorf("%d confirmations on record, want 1", n)
		}
	})
}

// Without the setting nothing changes: the notice says nothing of a sign-in, the form
// goes on to the phone's step, and the sheet answers the code with the token at once.
func TestWithoutTheSettingEmployeesDoNotSignIn(t *testing.T) {
	eachConfirmWorld(t, false, func(t *testing.T, fw *fullWorld, w *ssoWorld) {
		droid := invite(t, fw.apiWorld, fw.tenant, mdm.PlatformAndroid)
		b := w.browser(t)
		if _, _, body := b.get(w.ts.URL + "/e/" + droid.Code); strings.Contains(body, "Rathaus-Konto") {
			t.Error("the notice speaks of a sign-in the tenant does not ask for")
		}
		if code, to := accept(t, w, b, droid.Code); code != http.StatusSeeOther || to != "/e/"+droid.Code+"?lang=en" {
			t.Errorf("accept: %d to %q, want the invitation's page", code, to)
		}
		iphone, err := fw.svc.Enrolment.Invite(context.Background(), "test", fw.tenant, enrolment.InviteRequest{Email: "otto@musterstadt.example",
			Platform: mdm.PlatformIOS, ManagedAppleID: "otto@musterstadt.example"})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := b.client.PostForm(w.ts.URL+"/apple/signin", url.Values{"code": {iphone.Code}, "user-identifier": {"otto@musterstadt.example"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusPermanentRedirect || !strings.HasPrefix(resp.Header.Get("Location"), "apple-remotemanagement-user-login://") {
			t.Errorf("the sheet: %d to %q, want the token at once", resp.StatusCode, resp.Header.Get("Location"))
		}
		if n := len(w.events(fw.tenant, audit.EmployeeConfirm, audit.EmployeeConfirmRefused)); n != 0 {
			t.Errorf("%d sign-ins on record, want none", n)
		}
	})
}

// The setting is the tenant's on the single sign-on page and in the API: switched on in
// the form it is stored and audited, and the API names the redirect URIs of the
// employees' sign-in to register at the provider.
func TestTheEmployeesSignInIsASettingOfTheProvider(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		sess := w.session(w.tenant, mdm.RoleAdmin)
		form := ssoForm()
		form.Set("employees_confirm", "on")
		if code, to, body := w.page(http.MethodPost, "/ui/settings/sso", sess, form); code != http.StatusSeeOther {
			t.Fatalf("saving the form: %d to %q\n%.1000s", code, to, body)
		}
		p, err := w.svc.Access.SSO().Provider(context.Background(), w.tenant.ID)
		if err != nil || !p.EmployeesConfirm {
			t.Fatalf("stored %+v (%v), want the employees' sign-in on", p, err)
		}
		if ev := w.events(w.tenant, audit.SSOUpdate); len(ev) != 1 || !strings.Contains(string(ev[0].Details), `"employees_confirm":true`) {
			t.Errorf("trail: %+v", ev)
		}
		_, _, page := w.page(http.MethodGet, "/ui/settings/sso", sess, nil)
		if !strings.Contains(page, `id="employees_confirm" name="employees_confirm" aria-describedby="employees-help" checked`) {
			t.Errorf("the page does not show the setting on:\n%.3000s", page)
		}
		code, out := w.call(http.MethodGet, "/api/v1/sso", w.tokens[mdm.RoleAdmin], "")
		if code != http.StatusOK || !strings.Contains(out, `"employees_confirm":true`) ||
			!strings.Contains(out, `"employee_redirect_uris":["https://mdm.musterstadt.example/e/signin/callback","https://mdm.musterstadt.example/apple/signin/callback"]`) {
			t.Errorf("GET /api/v1/sso: %d %s", code, out)
		}
	})
}
