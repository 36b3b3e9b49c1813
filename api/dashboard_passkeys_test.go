package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// colleague is a signed-in helpdesk administrator of the tenant: their session and ID.
func (w *apiWorld) colleague(tn mdm.Tenant) (session, string) {
	w.t.Helper()
	s := w.session(tn, mdm.RoleHelpdesk)
	_, a, err := w.svc.Access.SessionFor(context.Background(), s.token)
	if err != nil {
		w.t.Fatal(err)
	}
	return s, a.ID
}

// An administrator resets a colleague's lost second factor through the JSON API with a
// reason: the colleague's session ends and the reset is on record with who, whose and
// why. Without a reason nothing happens; other roles may not; another tenant's
// administrator is not found.
func TestTheAPIResetsAColleaguesSecondFactor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		ctx := context.Background()
		sess, id := w.colleague(w.tenant)
		path := "/api/v1/admins/" + id + "/reset-second-factor"
		if code, body := w.call(http.MethodPost, path, w.tokens[mdm.RoleAdmin], `{"reason":""}`); code != http.StatusBadRequest ||
			!strings.Contains(body, "application/problem+json") && !strings.Contains(body, `"status":400`) {
			t.Errorf("without a reason: %d %s, want a 400 problem", code, body)
		}
		if code, _ := w.call(http.MethodPost, path, w.tokens[mdm.RoleHelpdesk], `{"reason":"lost phone"}`); code != http.StatusForbidden {
			t.Errorf("helpdesk: %d, want 403", code)
		}
		if _, _, err := w.svc.Access.SessionFor(ctx, sess.token); err != nil {
			t.Fatalf("a refused reset ended the session: %v", err)
		}
		_, strangerID := w.colleague(w.other)
		if code, _ := w.call(http.MethodPost, "/api/v1/admins/"+strangerID+"/reset-second-factor", w.tokens[mdm.RoleAdmin], `{"reason":"lost phone"}`); code != http.StatusNotFound {
			t.Errorf("another tenant's administrator: %d, want 404", code)
		}
		if code, body := w.call(http.MethodPost, path, w.tokens[mdm.RoleAdmin], `{"reason":"lost phone, ticket 4711"}`); code != http.StatusNoContent {
			t.Fatalf("reset: %d %s", code, body)
		}
		if _, _, err := w.svc.Access.SessionFor(ctx, sess.token); !errors.Is(err, mdm.ErrUnauthenticated) {
			t.Errorf("the colleague's session after the reset: %v, want it ended", err)
		}
		e := w.lastAudit(w.tenant)
		if e.Action != "admin.second_factor_reset" || e.Subject != "admin:"+id || !strings.Contains(string(e.Details), "ticket 4711") {
			t.Errorf("last event %s %s %s, want the reset with its reason", e.Action, e.Subject, e.Details)
		}
		var listed struct {
			Admins []struct {
				ID              string `json:"id"`
				SecondFactorSet bool   `json:"second_factor_set"`
			} `json:"admins"`
		}
		w.getJSON(t, "/api/v1/admins", w.tokens[mdm.RoleAdmin], &listed)
		for _, a := range listed.Admins {
			if a.ID == id && a.SecondFactorSet {
				t.Error("the colleague is listed with a second factor after the reset")
			}
		}
	})
}

// On the administrators page the reset needs a reason and is refused for oneself; a
// reset sends the page back saying it is done.
func TestTheAdministratorsPageResetsASecondFactor(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	ctx := context.Background()
	me := w.session(w.tenant, mdm.RoleAdmin)
	_, self, _ := w.svc.Access.SessionFor(ctx, me.token)
	sess, id := w.colleague(w.tenant)
	_, _, body := w.page(http.MethodGet, "/ui/settings/admins", me, nil)
	if !strings.Contains(body, `action="/ui/settings/admins/`+id+`/reset-second-factor"`) ||
		strings.Contains(body, `action="/ui/settings/admins/`+self.ID+`/reset-second-factor"`) {
		t.Error("the page should offer the reset for the colleague and not for oneself")
	}
	if code, _, body := w.page(http.MethodPost, "/ui/settings/admins/"+id+"/reset-second-factor", me, url.Values{"reason": {" "}}); code != http.StatusBadRequest || !strings.Contains(body, "reason") {
		t.Errorf("without a reason: %d, want 400 naming the reason", code)
	}
	if code, _, body := w.page(http.MethodPost, "/ui/settings/admins/"+self.ID+"/reset-second-factor", me, url.Values{"reason": {"lost"}}); code != http.StatusBadRequest || !strings.Contains(body, "own second factor") {
		t.Errorf("one's own: %d, want it refused", code)
	}
	code, to, _ := w.page(http.MethodPost, "/ui/settings/admins/"+id+"/reset-second-factor", me, url.Values{"reason": {"lost phone"}})
	if code != http.StatusSeeOther || to != "/ui/settings/admins?done=factor_reset" {
		t.Fatalf("reset: %d to %q", code, to)
	}
	if _, _, err := w.svc.Access.SessionFor(ctx, sess.token); !errors.Is(err, mdm.ErrUnauthenticated) {
		t.Errorf("the colleague's session after the reset: %v", err)
	}
}

// The account page lists the administrator's passkeys and, without JavaScript, says that
// passkeys need it; the forms check their CSRF token, and a browser's answer that is no
// passkey is refused on the page and adds nothing. The options name the installation's
// host as the relying party.
func TestTheAccountPageRefusesABadPasskeyAnswer(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	ctx := context.Background()
	me := w.session(w.tenant, mdm.RoleDPO)
	code, _, body := w.page(http.MethodGet, "/ui/account", me, nil)
	if code != http.StatusOK || !strings.Contains(body, "<noscript>") || !strings.Contains(body, `data-passkey="create"`) {
		t.Fatalf("account page: %d, want the add form and the note for browsers without JavaScript:\n%.600s", code, body)
	}
	if code, _, _ := w.page(http.MethodPost, "/ui/account/passkeys/options", me, url.Values{"csrf": {"forged"}}); code != http.StatusForbidden {
		t.Errorf("options with a forged CSRF token: %d, want 403", code)
	}
	code, _, body = w.page(http.MethodPost, "/ui/account/passkeys/options", me, url.Values{})
	var opts struct {
		PublicKey struct {
			RP struct {
				ID string `json:"id"`
			} `json:"rp"`
			Challenge string `json:"challenge"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal([]byte(body), &opts); code != http.StatusOK || err != nil || opts.PublicKey.RP.ID != "mdm.musterstadt.example" || opts.PublicKey.Challenge == "" {
		t.Fatalf("options: %d %s", code, body)
	}
	for _, credential := range []string{"", "{", `{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"clientDataJSON":"e30","attestationObject":"oA"}}`} {
		code, _, body := w.page(http.MethodPost, "/ui/account/passkeys", me, url.Values{"name": {"Laptop"}, "credential": {credential}})
		if code != http.StatusBadRequest || !strings.Contains(body, `role="alert"`) {
			t.Errorf("answer %q: %d, want 400 on the page", credential, code)
		}
	}
	_, a, _ := w.svc.Access.SessionFor(ctx, me.token)
	if keys, _ := w.svc.Access.AdminPasskeys(ctx, a); len(keys) != 0 {
		t.Errorf("bad answers added passkeys: %+v", keys)
	}
	if code, _, _ := w.page(http.MethodPost, "/ui/account/passkeys/remove", me, url.Values{"passkey": {"nothing"}}); code != http.StatusConflict {
		t.Errorf("removing a passkey that is not there: %d, want 409 on the page", code)
	}
}

// At the sign-in's second factor a passkey answer is taken only with the step's CSRF
// token, a broken one is refused on the step's page, and the sign-in stays where it is.
func TestTheSignInRefusesABadPasskeyAnswer(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	ctx := context.Background()
	_, creds, err := w.svc.Access.CreateAdmin(ctx, "test", w.tenant, "it@musterstadt.example", mdm.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	token, sess, err := w.svc.Access.SignIn(ctx, w.tenant.Name, creds.Email, creds.Password, "198.51.100.7")
	if err != nil {
		t.Fatal(err)
	}
	step := session{token: token, csrf: sess.CSRF}
	if code, _, _ := w.page(http.MethodPost, "/ui/signin/passkey", step, url.Values{"csrf": {"forged"}, "credential": {"{}"}}); code != http.StatusSeeOther {
		t.Errorf("a passkey answer before the factor is set up: %d, want 303 to the set-up", code)
	}
	secret, _, _ := w.svc.Access.TOTPSetup(ctx, token)
	code, _ := totp.GenerateCode(secret, time.Now())
	next, err := w.svc.Access.SecondFactor(ctx, token, code, "198.51.100.7")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Access.ChangePassword(ctx, next.Token, "a password of my own choosing"); err != nil {
		t.Fatal(err)
	}
	token, sess, err = w.svc.Access.SignIn(ctx, w.tenant.Name, creds.Email, "a password of my own choosing", "198.51.100.7")
	if err != nil {
		t.Fatal(err)
	}
	step = session{token: token, csrf: sess.CSRF}
	if code, _, _ := w.page(http.MethodPost, "/ui/signin/passkey/options", step, url.Values{"csrf": {"forged"}}); code != http.StatusForbidden {
		t.Errorf("options with a forged CSRF token: %d, want 403", code)
	}
	if code, _, body := w.page(http.MethodPost, "/ui/signin/passkey/options", step, url.Values{}); code != http.StatusConflict || !strings.Contains(body, "no passkey") {
		t.Errorf("options for an account without a passkey: %d %s, want 409", code, body)
	}
	if code, _, body := w.page(http.MethodPost, "/ui/signin/passkey", step, url.Values{"credential": {`{"id":"AA"}`}}); code != http.StatusBadRequest || !strings.Contains(body, `id="code"`) {
		t.Errorf("a broken answer: %d, want 400 with the step's page:\n%.400s", code, body)
	}
	if s, _, err := w.svc.Access.SessionFor(ctx, token); err != nil || s.Stage != access.StageSecondFactor {
		t.Errorf("the sign-in after the refusals: %+v, %v; want it still at the second factor", s, err)
	}
}
