package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// browser is an HTTPS client with a cookie jar that does not follow redirects, so that a
// test sees each step of the sign-in.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, w *apiWorld) *browser {
	ts := httptest.NewTLSServer(w.srv.Echo())
	t.Cleanup(ts.Close)
	c := ts.Client()
	c.Jar, _ = cookiejar.New(nil)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{t: t, base: ts.URL, c: c}
}

func (b *browser) do(method, path string, form url.Values) (int, string, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept-Language", "en")
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(out)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([a-z2-7]+)"`)

// The first administrator signs in to the dashboard for the first time: password, the
// authenticator set up with the QR code shown, recovery codes shown once, an own password,
// the overview; then signs out, and the session no longer opens pages.
func TestDashboardFirstSignIn(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	_, creds, err := w.svc.Access.CreateAdmin(context.Background(), "test", w.tenant, "it@musterstadt.example", mdm.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, w)
	if code, to, _ := b.do(http.MethodGet, "/ui/devices", nil); code != http.StatusSeeOther || to != "/ui/signin" {
		t.Fatalf("a page without a session: %d to %q", code, to)
	}
	code, _, body := b.do(http.MethodPost, "/ui/signin", url.Values{"tenant": {"musterstadt"}, "email": {creds.Email}, "password": {"wrong"}})
	if code != http.StatusUnauthorized || !strings.Contains(body, "Sign-in failed") {
		t.Fatalf("wrong password: %d\n%s", code, body)
	}
	code, to, _ := b.do(http.MethodPost, "/ui/signin", url.Values{"tenant": {"musterstadt"}, "email": {creds.Email}, "password": {creds.Password}})
	if code != http.StatusSeeOther || to != "/ui/signin/factor" {
		t.Fatalf("right password: %d to %q", code, to)
	}
	if code, to, _ := b.do(http.MethodGet, "/ui/", nil); code != http.StatusSeeOther || to != "/ui/signin/factor" {
		t.Errorf("a page before the second factor: %d to %q, want the second-factor step", code, to)
	}
	code, _, body = b.do(http.MethodGet, "/ui/signin/factor", nil)
	if code != http.StatusOK || !strings.Contains(body, creds.TOTPSecret) {
		t.Fatalf("set-up step: %d\n%s", code, body)
	}
	if code, _, png := b.do(http.MethodGet, "/ui/signin/totp.png", nil); code != http.StatusOK || !strings.HasPrefix(png, "\x89PNG") {
		t.Errorf("QR code: %d", code)
	}
	csrf := csrfField.FindStringSubmatch(body)[1]
	totpCode, _ := totp.GenerateCode(creds.TOTPSecret, time.Now())
	code, _, body = b.do(http.MethodPost, "/ui/signin/factor", url.Values{"csrf": {csrf}, "code": {totpCode}})
	if code != http.StatusOK || strings.Count(body, `<li class="code">`) != access.RecoveryCodes {
		t.Fatalf("code: %d, want the recovery codes\n%s", code, body)
	}
	code, _, body = b.do(http.MethodGet, "/ui/signin/password", nil)
	if code != http.StatusOK || !strings.Contains(body, "one-time password") {
		t.Fatalf("password step: %d\n%s", code, body)
	}
	csrf = csrfField.FindStringSubmatch(body)[1]
	if code, to, _ := b.do(http.MethodPost, "/ui/signin/password", url.Values{"csrf": {csrf}, "password": {"a password of my own choosing"}}); code != http.StatusSeeOther || to != "/ui/" {
		t.Fatalf("new password: %d to %q", code, to)
	}
	code, _, body = b.do(http.MethodGet, "/ui/", nil)
	csrf = csrfField.FindStringSubmatch(body)[1]
	if code != http.StatusOK || !strings.Contains(body, "Overview") || !strings.Contains(body, creds.Email) {
		t.Fatalf("overview: %d\n%s", code, body)
	}
	if code, _, _ := b.do(http.MethodPost, "/ui/signout", url.Values{"csrf": {"forged"}}); code != http.StatusForbidden {
		t.Errorf("sign-out with a forged token: %d, want 403", code)
	}
	if code, to, _ := b.do(http.MethodPost, "/ui/signout", url.Values{"csrf": {csrf}}); code != http.StatusSeeOther || to != "/ui/signin" {
		t.Errorf("sign-out: %d to %q", code, to)
	}
	if code, to, _ := b.do(http.MethodGet, "/ui/", nil); code != http.StatusSeeOther || to != "/ui/signin" {
		t.Errorf("after sign-out: %d to %q", code, to)
	}
	want := []string{"admin.sign_in_failed", "admin.second_factor_setup", "admin.sign_in", "admin.password_change", "admin.sign_out"}
	got := w.auditActions(w.tenant)
	for _, action := range want {
		if !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, action+" ") }) {
			t.Errorf("audit trail %v lacks %s", got, action)
		}
	}
}

// The JSON API takes the session cookie too, but a change made with it needs the
// session's CSRF token in X-CSRF-Token.
func TestAPIWithTheSessionCookieNeedsTheCSRFTokenForChanges(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	s := w.session(w.tenant, mdm.RoleHelpdesk)
	call := func(method, path, body, csrf string) int {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(&http.Cookie{Name: "trennwand_session", Value: s.token})
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		rec := httptest.NewRecorder()
		w.srv.Echo().ServeHTTP(rec, req)
		return rec.Code
	}
	if code := call(http.MethodGet, "/api/v1/devices", "", ""); code != http.StatusOK {
		t.Errorf("read with the cookie: %d", code)
	}
	invite := `{"email":"anna@musterstadt.example"}`
	if code := call(http.MethodPost, "/api/v1/invitations", invite, ""); code != http.StatusForbidden {
		t.Errorf("change without the token: %d, want 403", code)
	}
	if code := call(http.MethodPost, "/api/v1/invitations", invite, s.csrf); code != http.StatusCreated {
		t.Errorf("change with the token: %d, want 201", code)
	}
}
