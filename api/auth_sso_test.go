package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/trennwand/trennwand/api"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/openid/openidtest"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// The provider in these tests is mockoidc (github.com/oauth2-proxy/mockoidc), an OpenID
// Connect provider the project did not write, on its own TLS listener: discovery, the
// authorization endpoint, the token endpoint that checks the client's secret and the PKCE
// verifier against the S256 challenge, and ID tokens signed with its RSA key. It was
// chosen over zitadel's op package because each sign-in takes the next queued user, and a
// user shapes the ID token's claims itself: groups, amr and acr, and for the refusals an
// issuer, audience, nonce or expiry that the provider then signs with its real key.
// zitadel's example storage has fixed users and would need a storage of our own for that.

// idp is a running provider with the client that trusts its certificate.
type idp struct {
	m      *mockoidc.MockOIDC
	client *http.Client
	// endSession is what the discovery document names as end_session_endpoint ("" none).
	endSession string
}

func newIdP(t testing.TB) *idp {
	t.Helper()
	p := &idp{}
	// mockoidc has no sign-out; the discovery document names one, as Keycloak's does.
	prov := openidtest.Start(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration") || p.endSession == "" {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			var doc map[string]any
			_ = json.Unmarshal(rec.Body.Bytes(), &doc)
			doc["end_session_endpoint"] = p.endSession
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(doc)
		})
	})
	p.m, p.client = prov.MockOIDC, prov.Client
	return p
}

// person is who signs in at the provider next, with the claims of their ID token.
type person struct {
	sub, email  string
	groups, amr []string
	acr         string
	// tamper changes the ID token's standard claims before the provider signs it.
	tamper func(*mockoidc.IDTokenClaims)
}

func (p *person) ID() string { return p.sub }

func (p *person) Userinfo([]string) ([]byte, error) {
	return json.Marshal(map[string]string{"sub": p.sub})
}

type personClaims struct {
	*mockoidc.IDTokenClaims
	Email         string   `json:"email,omitempty"`
	EmailVerified bool     `json:"email_verified"`
	Groups        []string `json:"groups,omitempty"`
	AMR           []string `json:"amr,omitempty"`
	ACR           string   `json:"acr,omitempty"`
}

func (p *person) Claims(_ []string, c *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	if p.tamper != nil {
		p.tamper(c)
	}
	return &personClaims{IDTokenClaims: c, Email: p.email, EmailVerified: true, Groups: p.groups, AMR: p.amr, ACR: p.acr}, nil
}

// anna is an administrator at the provider who signed in with a second factor.
func anna() *person {
	return &person{sub: "f3c1-anna", email: "anna.admin@musterstadt.example", groups: []string{"staff", "mdm-admins"}, amr: []string{"pwd", "mfa"}}
}

// ssoWorld is an API world whose tenant signs its administrators in at a provider.
type ssoWorld struct {
	*apiWorld
	idp *idp
	ts  *httptest.Server
}

func newSSOWorld(t *testing.T, s *store.Store) *ssoWorld {
	t.Helper()
	p := newIdP(t)
	w := newAPIWorld(t, s, func(c *api.Config) { c.SSOClient = p.client })
	ts := httptest.NewTLSServer(w.srv.Echo())
	t.Cleanup(ts.Close)
	sw := &ssoWorld{apiWorld: w, idp: p, ts: ts}
	sw.setProvider(t, w.tenant, access.MFAByAMR)
	return sw
}

// setProvider sets the tenant's provider through the JSON API.
func (w *ssoWorld) setProvider(t *testing.T, tn mdm.Tenant, mfa access.MFARule) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"display_name": "Rathaus-Konto", "issuer": w.idp.m.Issuer(), "client_id": w.idp.m.ClientID,
		"client_secret": w.idp.m.ClientSecret, "scopes": []string{"openid", "email", "groups"}, "admin_groups": []string{"mdm-admins"},
		"helpdesk_groups": []string{"mdm-helpdesk"}, "dpo_groups": []string{"datenschutz"}, "mfa": mfa, "mfa_values": []string{"mfa"}})
	token := w.tokens[mdm.RoleAdmin]
	if tn.ID != w.tenant.ID {
		_, token, _ = w.svc.Access.CreateToken(context.Background(), "test", &tn, access.TokenRequest{Role: mdm.RoleAdmin})
	}
	if code, out := w.call(http.MethodPut, "/api/v1/sso", token, string(body)); code != http.StatusOK {
		t.Fatalf("PUT /api/v1/sso: %d %s", code, out)
	}
}

// ssoBrowser is a browser with its cookies; it follows no redirect by itself, so that each
// step of the way is seen.
type ssoBrowser struct {
	t      testing.TB
	client *http.Client
}

func (w *ssoWorld) browser(t testing.TB) *ssoBrowser {
	jar, _ := cookiejar.New(nil)
	// The provider's certificate is httptest's too, so the one client trusts both.
	tr := w.ts.Client().Transport.(*http.Transport).Clone()
	return &ssoBrowser{t: t, client: &http.Client{Jar: jar, Transport: english{tr}, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// english is a browser set to English.
type english struct{ http.RoundTripper }

func (e english) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Accept-Language", "en")
	return e.RoundTripper.RoundTrip(r)
}

// get fetches a page and returns status, where it leads and the body.
func (b *ssoBrowser) get(u string) (int, string, string) {
	b.t.Helper()
	resp, err := b.client.Get(u)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

// toProvider starts the tenant's sign-in and follows it through the provider; it returns
// the callback the provider sends the browser to, on the test's server.
func (w *ssoWorld) toProvider(b *ssoBrowser, tenant string, who *person) string {
	b.t.Helper()
	w.idp.m.QueueUser(who)
	code, to, body := b.get(w.ts.URL + "/ui/signin/sso/" + tenant)
	if code != http.StatusSeeOther || !strings.HasPrefix(to, w.idp.m.AuthorizationEndpoint()) {
		b.t.Fatalf("start: %d to %q, want the provider:\n%.400s", code, to, body)
	}
	q, _ := url.Parse(to)
	for _, want := range []string{"state", "nonce", "code_challenge"} {
		if q.Query().Get(want) == "" {
			b.t.Errorf("the way to the provider lacks %s: %s", want, to)
		}
	}
	if m := q.Query().Get("code_challenge_method"); m != "S256" {
		b.t.Errorf("PKCE method %q, want S256", m)
	}
	code, back, _ := b.get(to)
	if code != http.StatusFound {
		b.t.Fatalf("provider: %d", code)
	}
	u, _ := url.Parse(back)
	if want := "https://mdm.musterstadt.example/ui/signin/sso/" + tenant + "/callback"; u.Scheme+"://"+u.Host+u.Path != want {
		b.t.Errorf("the provider sends back to %q, want %q", back, want)
	}
	return w.ts.URL + u.RequestURI()
}

// signIn goes the whole way and returns the callback's status, the page it leads on to
// and its body.
func (w *ssoWorld) signIn(b *ssoBrowser, tenant string, who *person) (int, string, string) {
	b.t.Helper()
	resp, err := b.client.Get(w.toProvider(b, tenant, who))
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	next, _ := strings.CutPrefix(resp.Header.Get("Refresh"), "0; url=")
	return resp.StatusCode, next, string(body)
}

func (b *ssoBrowser) session(base string) string {
	u, _ := url.Parse(base)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == api.SessionCookie {
			return c.Value
		}
	}
	return ""
}

// events returns the tenant's audit events of the actions.
func (w *apiWorld) events(tn mdm.Tenant, actions ...audit.Action) []audit.Event {
	var out []audit.Event
	_ = store.TrailOf(w.store).AuditEvents(context.Background(), tn.ID, 0, func(e audit.Event) error {
		if slices.Contains(actions, e.Action) {
			out = append(out, e)
		}
		return nil
	})
	return out
}

// An administrator signs in through the tenant's provider for the first time: the
// groups make her an administrator, the account is made and linked by issuer and
// subject, and the dashboard is hers. At the next sign-in her groups at the provider
// have changed, and so has her role. Signing out ends the session here and sends the
// browser to the provider's sign-out.
func TestAnAdministratorSignsInThroughTheTenantsProvider(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newSSOWorld(t, s)
		w.idp.endSession = w.idp.m.Issuer() + "/logout"
		b := w.browser(t)
		code, _, body := b.get(w.ts.URL + "/ui/signin?tenant=musterstadt")
		if code != http.StatusOK || !strings.Contains(body, `href="/ui/signin/sso/musterstadt"`) || !strings.Contains(body, "Rathaus-Konto") {
			t.Fatalf("the sign-in page of the tenant offers no single sign-on: %d\n%.600s", code, body)
		}
		code, next, body := w.signIn(b, "musterstadt", anna())
		if code != http.StatusOK || next != "/ui/" || !strings.Contains(body, `href="/ui/"`) {
			t.Fatalf("callback: %d, on to %q\n%.600s", code, next, body)
		}
		if code, _, body := b.get(w.ts.URL + "/ui/"); code != http.StatusOK || !strings.Contains(body, "anna.admin@musterstadt.example") {
			t.Fatalf("the dashboard after the sign-in: %d\n%.300s", code, body)
		}
		if code, _, _ := b.get(w.ts.URL + "/ui/settings"); code != http.StatusOK {
			t.Errorf("the administrator's settings: %d, want 200", code)
		}
		a, err := w.svc.Access.Admins(context.Background(), w.tenant)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(a, func(a mdm.Admin) bool { return a.Email == "anna.admin@musterstadt.example" })
		if i < 0 || a[i].Role != mdm.RoleAdmin || a[i].PasswordHash != "" {
			t.Fatalf("administrators %+v: want anna, an admin without a password", a)
		}
		if ev := w.events(w.tenant, audit.AdminCreate, audit.AdminSignIn); len(ev) != 2 || ev[1].Actor != "admin:"+a[i].ID {
			t.Errorf("trail: %+v, want her account made and her sign-in", ev)
		}

		// Her groups changed at the provider: now helpdesk.
		again := anna()
		again.groups = []string{"mdm-helpdesk"}
		b2 := w.browser(t)
		if code, next, _ := w.signIn(b2, "musterstadt", again); code != http.StatusOK || next != "/ui/" {
			t.Fatalf("second sign-in: %d, on to %q", code, next)
		}
		if code, _, _ := b2.get(w.ts.URL + "/ui/settings"); code != http.StatusForbidden {
			t.Errorf("settings as helpdesk: %d, want 403", code)
		}
		if n := len(w.events(w.tenant, audit.AdminRoleChange)); n != 1 {
			t.Errorf("%d role changes on record, want 1", n)
		}
		if as, _ := w.svc.Access.Admins(context.Background(), w.tenant); len(as) != len(a) {
			t.Errorf("the second sign-in made another account: %d administrators, want %d", len(as), len(a))
		}

		// Sign-out: the form's CSRF token, then the provider's sign-out.
		token := b2.session(w.ts.URL)
		sess, _, err := w.svc.Access.SessionFor(context.Background(), token)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := b2.client.PostForm(w.ts.URL+"/ui/signout", url.Values{"csrf": {sess.CSRF}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		to, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(to.String(), w.idp.endSession) || to.Query().Get("client_id") != w.idp.m.ClientID ||
			to.Query().Get("post_logout_redirect_uri") != "https://mdm.musterstadt.example/ui/signin?tenant=musterstadt" {
			t.Errorf("sign-out: %d to %q, want the provider's sign-out with the way back", resp.StatusCode, to)
		}
		if _, _, err := w.svc.Access.SessionFor(context.Background(), token); err == nil {
			t.Error("the session lives on after the sign-out")
		}
	})
}

// What the provider vouches for is refused when the tenant's rules say no, and an ID
// token that is not the provider's answer to this sign-in (issuer, audience, nonce,
// expiry) is refused before any rule is asked. Each refusal is on record, opens no
// session and makes no account.
func TestSignInsThroughTheProviderThatAreRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newSSOWorld(t, s)
		for _, c := range []struct {
			name   string
			change func(*person)
			status int
			says   string
		}{
			{"in no group of a role", func(p *person) { p.groups = []string{"staff"} }, http.StatusForbidden, "in no group"},
			{"in groups of two roles", func(p *person) { p.groups = []string{"mdm-admins", "datenschutz"} }, http.StatusForbidden, "in no group"},
			{"without a second factor", func(p *person) { p.amr = []string{"pwd"} }, http.StatusForbidden, "did not confirm a second factor"},
			{"without amr", func(p *person) { p.amr = nil }, http.StatusForbidden, "did not confirm a second factor"},
			{"from another issuer", func(p *person) {
				p.tamper = func(c *mockoidc.IDTokenClaims) { c.Issuer = "https://id.nachbarort.example/realms/rathaus" }
			}, http.StatusUnauthorized, "did not succeed"},
			{"for another client", func(p *person) {
				p.tamper = func(c *mockoidc.IDTokenClaims) { c.Audience = jwt.ClaimStrings{"another-client"} }
			}, http.StatusUnauthorized, "did not succeed"},
			{"with another nonce", func(p *person) {
				p.tamper = func(c *mockoidc.IDTokenClaims) { c.Nonce = "replayed-from-elsewhere" }
			}, http.StatusUnauthorized, "did not succeed"},
			{"without a nonce", func(p *person) { p.tamper = func(c *mockoidc.IDTokenClaims) { c.Nonce = "" } }, http.StatusUnauthorized, "did not succeed"},
			{"expired", func(p *person) {
				p.tamper = func(c *mockoidc.IDTokenClaims) { c.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-time.Hour)) }
			}, http.StatusUnauthorized, "did not succeed"},
		} {
			t.Run(c.name, func(t *testing.T) {
				before, _ := w.svc.Access.Admins(context.Background(), w.tenant)
				failed := len(w.events(w.tenant, audit.AdminSignInFailed))
				who := anna()
				c.change(who)
				b := w.browser(t)
				code, next, body := w.signIn(b, "musterstadt", who)
				if code != c.status || next != "" || !strings.Contains(body, c.says) {
					t.Errorf("%d, on to %q, want %d saying %q:\n%.800s", code, next, c.status, c.says, body)
				}
				if b.session(w.ts.URL) != "" {
					t.Error("a refused sign-in gave the browser a session")
				}
				if after, _ := w.svc.Access.Admins(context.Background(), w.tenant); len(after) != len(before) {
					t.Errorf("a refused sign-in made an account: %d administrators, before %d", len(after), len(before))
				}
				if n := len(w.events(w.tenant, audit.AdminSignInFailed)); n != failed+1 {
					t.Errorf("%d refusals on record, want %d", n, failed+1)
				}
			})
		}
	})
}

// A sign-in sent to the provider comes back once, to the browser that went there, and
// to the tenant whose start sent it: tenant A's provider signs nobody in to tenant B.
func TestAProvidersAnswerSignsInOnlyAtItsTenantInItsBrowserOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newSSOWorld(t, s)
		w.setProvider(t, w.other, access.MFAByAMR)
		get := func(b *ssoBrowser, u string, cookie string) int {
			req, _ := http.NewRequest(http.MethodGet, u, nil)
			if cookie != "" {
				req.AddCookie(&http.Cookie{Name: "trennwand_sso_state", Value: cookie})
			}
			resp, err := b.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if b.session(w.ts.URL) != "" {
				t.Errorf("%s gave the browser a session", u)
			}
			return resp.StatusCode
		}
		stateOf := func(u string) string { p, _ := url.Parse(u); return p.Query().Get("state") }

		// Tenant A's answer taken to tenant B's callback, with A's state cookie too.
		b := w.browser(t)
		back := w.toProvider(b, "musterstadt", anna())
		atB := strings.Replace(back, "/musterstadt/callback", "/nachbarort/callback", 1)
		if code := get(b, atB, ""); code != http.StatusBadRequest {
			t.Errorf("at tenant B without its state cookie: %d, want 400", code)
		}
		if code := get(b, atB, stateOf(back)); code != http.StatusUnauthorized {
			t.Errorf("at tenant B with A's state: %d, want 401", code)
		}
		if code := get(b, back, stateOf(back)); code != http.StatusUnauthorized {
			t.Errorf("back at A after B refused the state: %d, want 401 (a state is taken once)", code)
		}

		// Another browser with the link.
		b = w.browser(t)
		back = w.toProvider(b, "musterstadt", anna())
		if code := get(w.browser(t), back, ""); code != http.StatusBadRequest {
			t.Errorf("the link in another browser: %d, want 400", code)
		}

		// The same answer twice.
		b = w.browser(t)
		back = w.toProvider(b, "musterstadt", anna())
		state := stateOf(back)
		resp, err := b.client.Get(back)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || b.session(w.ts.URL) == "" {
			t.Fatalf("the answer: %d, want a session", resp.StatusCode)
		}
		b2 := w.browser(t)
		if code := get(b2, back, state); code != http.StatusUnauthorized {
			t.Errorf("the same answer again: %d, want 401", code)
		}
		if as, _ := w.svc.Access.Admins(context.Background(), w.other); slices.ContainsFunc(as, func(a mdm.Admin) bool { return a.Email == "anna.admin@musterstadt.example" }) {
			t.Error("tenant B has an account of tenant A's administrator")
		}
	})
}

// A tenant that asks for the local second factor after the provider: the first sign-in
// goes on to setting up the authenticator, and only the code makes the session active.
func TestTheLocalSecondFactorIsAskedAfterTheProvider(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newSSOWorld(t, s)
		w.setProvider(t, w.tenant, access.MFALocal)
		b := w.browser(t)
		who := anna()
		who.amr = []string{"pwd"}
		code, next, _ := w.signIn(b, "musterstadt", who)
		if code != http.StatusOK || next != "/ui/signin/factor" {
			t.Fatalf("callback: %d, on to %q; want the second factor", code, next)
		}
		if code, to, _ := b.get(w.ts.URL + "/ui/"); code != http.StatusSeeOther || to != "/ui/signin/factor" {
			t.Errorf("the dashboard before the code: %d to %q, want the second factor", code, to)
		}
		if code, _, body := b.get(w.ts.URL + "/ui/signin/factor"); code != http.StatusOK || !strings.Contains(body, "totp.png") {
			t.Errorf("the second factor's page: %d, want the set-up", code)
		}
	})
}

// Break-glass administrators keep the password while single sign-on is required; the
// others are refused at the password, and the last break-glass administrator with the
// admin role keeps the mark. Through the JSON API, as a script would do it.
func TestBreakGlassThroughTheAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newSSOWorld(t, s)
		ctx := context.Background()
		admin, creds, err := w.svc.Access.CreateAdmin(ctx, "test", w.tenant, "notfall@musterstadt.example", mdm.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		_, other, err := w.svc.Access.CreateAdmin(ctx, "test", w.tenant, "it@musterstadt.example", mdm.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		token := w.tokens[mdm.RoleAdmin]
		var sso map[string]any
		_, out := w.call(http.MethodGet, "/api/v1/sso", token, "")
		_ = json.Unmarshal([]byte(out), &sso)
		if sso["client_secret_set"] != true || sso["client_secret"] != nil || sso["redirect_uri"] != "https://mdm.musterstadt.example/ui/signin/sso/musterstadt/callback" {
			t.Errorf("GET /sso: %s", out)
		}
		if code, back := w.call(http.MethodPut, "/api/v1/sso", token, out); code != http.StatusOK || back != out {
			t.Errorf("PUT of what GET answered (the secret kept): %d\n%s\nwant\n%s", code, back, out)
		}
		required := strings.Replace(ssoBody, `"required":false`, `"required":true`, 1)
		if code, out := w.call(http.MethodPut, "/api/v1/sso", token, required); code != http.StatusConflict || !strings.Contains(out, "break-glass") {
			t.Errorf("required without a break-glass administrator: %d %s, want 409", code, out)
		}
		if code, out := w.call(http.MethodPut, "/api/v1/admins/"+admin.ID+"/break-glass", token, `{"on":true}`); code != http.StatusOK || !strings.Contains(out, `"break_glass":true`) {
			t.Fatalf("mark: %d %s", code, out)
		}
		if code, out := w.call(http.MethodPut, "/api/v1/sso", token, required); code != http.StatusOK {
			t.Fatalf("required: %d %s", code, out)
		}
		if code, _ := w.call(http.MethodPut, "/api/v1/admins/"+admin.ID+"/break-glass", token, `{"on":false}`); code != http.StatusConflict {
			t.Errorf("unmarking the last one: %d, want 409", code)
		}
		if code, _ := w.call(http.MethodPut, "/api/v1/admins/"+admin.ID+"/break-glass", w.tokens[mdm.RoleAdmin], `{"on":"yes"}`); code != http.StatusBadRequest {
			t.Errorf("a mark that is no boolean: %d, want 400", code)
		}
		if _, _, err := w.svc.Access.SignIn(ctx, "musterstadt", creds.Email, creds.Password, "198.51.100.1"); err != nil {
			t.Errorf("the break-glass administrator's password: %v", err)
		}
		if _, _, err := w.svc.Access.SignIn(ctx, "musterstadt", other.Email, other.Password, "198.51.100.1"); err == nil {
			t.Error("another administrator signed in with a password while single sign-on is required")
		}
		if code, _ := w.call(http.MethodPut, "/api/v1/admins/"+admin.ID+"/break-glass", "", `{"on":false}`); code != http.StatusUnauthorized {
			t.Errorf("without a token: %d, want 401", code)
		}
	})
}

// The settings page tests the connection: the discovery document of the provider is
// read and its endpoints shown; an issuer that is not the document's is named as wrong.
func TestTheSettingsPageTestsTheConnection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newSSOWorld(t, s)
		sess := w.session(w.tenant, mdm.RoleAdmin)
		code, _, body := w.page(http.MethodPost, "/ui/settings/sso/test", sess, url.Values{"issuer": {w.idp.m.Issuer()}})
		if code != http.StatusOK || !strings.Contains(body, w.idp.m.TokenEndpoint()) || !strings.Contains(body, `id="test-result"`) {
			t.Errorf("test of the provider: %d\n%.1200s", code, body)
		}
		wrong := strings.TrimSuffix(w.idp.m.Issuer(), "/oidc")
		code, _, body = w.page(http.MethodPost, "/ui/settings/sso/test", sess, url.Values{"issuer": {wrong}})
		if code != http.StatusOK || !strings.Contains(body, `role="alert" id="test-result"`) {
			t.Errorf("test of a wrong issuer: %d\n%.1200s", code, body)
		}
		code, _, body = w.page(http.MethodGet, "/ui/settings/sso", sess, nil)
		if code != http.StatusOK || !strings.Contains(body, "https://mdm.musterstadt.example/ui/signin/sso/musterstadt/callback") || strings.Contains(body, w.idp.m.ClientSecret) {
			t.Errorf("settings page: %d (want the redirect URI and never the secret)\n%.600s", code, body)
		}
		var test struct {
			OK   bool   `json:"ok"`
			PKCE bool   `json:"pkce_s256"`
			Prob string `json:"problem"`
		}
		_, out := w.call(http.MethodPost, "/api/v1/sso/test", w.tokens[mdm.RoleAdmin], `{}`)
		if err := json.Unmarshal([]byte(out), &test); err != nil || !test.OK || !test.PKCE {
			t.Errorf("POST /sso/test of the stored provider: %s", out)
		}
		_, out = w.call(http.MethodPost, "/api/v1/sso/test", w.tokens[mdm.RoleAdmin], fmt.Sprintf(`{"issuer":%q}`, wrong))
		if err := json.Unmarshal([]byte(out), &test); err != nil || test.OK || test.Prob == "" {
			t.Errorf("POST /sso/test of a wrong issuer: %s", out)
		}
	})
}

// ssoBody is a provider as the role matrix sets it, without network.
const ssoBody = `{"display_name":"Rathaus-Konto","issuer":"https://id.musterstadt.example/realms/rathaus","client_id":"trennwand",` +
	`"client_secret":"s3cret","admin_groups":["mdm-admins"],"helpdesk_groups":[],"dpo_groups":["datenschutz"],"mfa":"amr","mfa_values":["mfa"],"required":false}`

// ssoProvider sets the tenant's provider for the role matrix.
func ssoProvider(w *apiWorld, tn mdm.Tenant) {
	var in access.SSOSettings
	in.DisplayName, in.Issuer, in.ClientID, in.ClientSecret = "Rathaus-Konto", "https://id.musterstadt.example/realms/rathaus", "trennwand", "s3cret"
	in.AdminGroups, in.MFA, in.MFAValues = []string{"mdm-admins"}, access.MFAByAMR, []string{"mfa"}
	if _, err := w.svc.Access.SSO().SetProvider(context.Background(), "test", tn, in); err != nil {
		w.t.Fatal(err)
	}
}

// ssoForm is the settings form as the page matrix sends it.
func ssoForm() url.Values {
	return url.Values{"display_name": {"Rathaus-Konto"}, "issuer": {"https://id.musterstadt.example/realms/rathaus"}, "client_id": {"trennwand"},
		"client_secret": {"s3cret"}, "admin_groups": {"mdm-admins\r\n"}, "mfa": {"amr"}, "mfa_values": {"mfa otp"}}
}

// FuzzSSOCallback sends the callback whatever parameters and state cookie: nothing a
// browser sends there answers 5xx or opens a session.
func FuzzSSOCallback(f *testing.F) {
	s := storetest.Open(f, storetest.SQLite)
	w := newAPIWorld(f, s)
	ssoProvider(w, w.tenant)
	f.Add("musterstadt", "state", "code", "", "state")
	f.Add("nachbarort", "", "", "access_denied", "")
	f.Add("musterstadt", "a%00b", "\xff", "x", "a\x00b")
	f.Add("../../etc", "s", "c", "", "s")
	f.Fuzz(func(t *testing.T, tenant, state, code, errParam, cookie string) {
		q := url.Values{"state": {state}, "code": {code}}
		if errParam != "" {
			q.Set("error", errParam)
		}
		req := httptest.NewRequest(http.MethodGet, "/ui/signin/sso/x/callback", nil)
		req.URL.Path = "/ui/signin/sso/" + url.PathEscape(tenant) + "/callback"
		req.URL.RawPath = ""
		req.URL.RawQuery = q.Encode()
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: "trennwand_sso_state", Value: url.QueryEscape(cookie)})
		}
		rec := httptest.NewRecorder()
		w.srv.Echo().ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Errorf("callback %s: %d\n%s", req.URL, rec.Code, rec.Body.String())
		}
		for _, c := range rec.Result().Cookies() {
			if c.Name == api.SessionCookie && c.Value != "" {
				t.Errorf("callback %s opened a session", req.URL)
			}
		}
		if bytes.Contains(rec.Body.Bytes(), []byte("s3cret")) {
			t.Error("the page shows the client secret")
		}
	})
}

// A settings form that cannot work is shown again as sent, with the reason, and changes
// nothing; the secret is not written back into the page.
func TestARefusedSingleSignOnFormChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		sess := w.session(w.tenant, mdm.RoleAdmin)
		form := ssoForm()
		form.Set("issuer", "http://id.musterstadt.example/realms/rathaus")
		form.Set("client_secret", "do-not-show-me")
		code, _, body := w.page(http.MethodPost, "/ui/settings/sso", sess, form)
		if code != http.StatusBadRequest || !strings.Contains(body, "https URL") || !strings.Contains(body, `value="http://id.musterstadt.example/realms/rathaus"`) {
			t.Errorf("refused form: %d\n%.1500s", code, body)
		}
		if strings.Contains(body, "do-not-show-me") {
			t.Error("the refused form shows the client secret again")
		}
		if _, err := w.svc.Access.SSO().Provider(context.Background(), w.tenant.ID); err == nil {
			t.Error("a refused form stored a provider")
		}
		if n := len(w.events(w.tenant, audit.SSOUpdate)); n != 0 {
			t.Errorf("%d changes on record after a refusal", n)
		}
	})
}

// A local administrator links the account to the identity at the provider from the
// single sign-on page; afterwards the provider signs them in to that account, not to a
// new one. The identity cannot be linked to a second account.
func TestALocalAdministratorLinksTheAccountToTheProvider(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newSSOWorld(t, s)
		ctx := context.Background()
		sess := w.session(w.tenant, mdm.RoleAdmin)
		_, me, err := w.svc.Access.SessionFor(ctx, sess.token)
		if err != nil {
			t.Fatal(err)
		}
		link := func(who *person) (int, string, string) {
			b := w.browser(t)
			u, _ := url.Parse(w.ts.URL)
			b.client.Jar.SetCookies(u, []*http.Cookie{{Name: api.SessionCookie, Value: sess.token, Path: "/"}})
			_, _, page := b.get(w.ts.URL + "/ui/settings/sso")
			if !strings.Contains(page, `action="/ui/signin/sso/link"`) {
				t.Fatalf("the page offers no link:\n%.800s", page)
			}
			w.idp.m.QueueUser(who)
			resp, err := b.client.PostForm(w.ts.URL+"/ui/signin/sso/link", url.Values{"csrf": {sess.csrf}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			to := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(to, w.idp.m.AuthorizationEndpoint()) {
				t.Fatalf("link: %d to %q, want the provider", resp.StatusCode, to)
			}
			_, back, _ := b.get(to)
			cb, _ := url.Parse(back)
			resp, err = b.client.Get(w.ts.URL + cb.RequestURI())
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			next, _ := strings.CutPrefix(resp.Header.Get("Refresh"), "0; url=")
			return resp.StatusCode, next, string(body)
		}
		who := anna()
		who.email = me.Email
		if code, next, body := link(who); code != http.StatusOK || next != "/ui/settings/sso?done=saved" {
			t.Fatalf("link: %d, on to %q\n%.600s", code, next, body)
		}
		if ev := w.events(w.tenant, audit.AdminSSOLink); len(ev) != 1 || ev[0].Actor != "admin:"+me.ID {
			t.Errorf("trail: %+v, want the link by the administrator", ev)
		}
		_, _, page := w.page(http.MethodGet, "/ui/settings/sso", sess, nil)
		if !strings.Contains(page, `id="sso-linked"`) {
			t.Errorf("the page does not say the account is linked")
		}
		before, _ := w.svc.Access.Admins(ctx, w.tenant)
		b := w.browser(t)
		if code, next, _ := w.signIn(b, "musterstadt", who); code != http.StatusOK || next != "/ui/" {
			t.Fatalf("sign-in after the link: %d, on to %q", code, next)
		}
		if _, a, err := w.svc.Access.SessionFor(ctx, b.session(w.ts.URL)); err != nil || a.ID != me.ID {
			t.Errorf("the provider signed in %+v, %v; want the linked account %s", a, err, me.ID)
		}
		if after, _ := w.svc.Access.Admins(ctx, w.tenant); len(after) != len(before) {
			t.Errorf("the sign-in made an account: %d administrators, before %d", len(after), len(before))
		}

		// The same identity for another administrator's account.
		sess = w.session(w.tenant, mdm.RoleAdmin)
		if code, next, body := link(who); code != http.StatusForbidden || next != "" || !strings.Contains(body, "linked already") {
			t.Errorf("a second link of one identity: %d, on to %q\n%.600s", code, next, body)
		}
	})
}
