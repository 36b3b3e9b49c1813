package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/trennwand/trennwand/api"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// signedInAdmin is an administrator who has passed the password step in a browser: the
// session cookie and CSRF token of the second-factor step, and the secrets to go on.
type signedInAdmin struct {
	email, password, secret string
	cookie, csrf            string
}

// passwordStep creates an administrator who has signed in once (so the second factor is
// set up and the password their own), and signs them in again with the password in b.
func passwordStep(t *testing.T, w *apiWorld, b *browser) signedInAdmin {
	t.Helper()
	ctx := context.Background()
	_, creds, err := w.svc.Access.CreateAdmin(ctx, "test", w.tenant, "it@musterstadt.example", mdm.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	admin := signedInAdmin{email: creds.Email, password: "a password of my own choosing", secret: creds.TOTPSecret}
	token, _, err := w.svc.Access.SignIn(ctx, w.tenant.Name, creds.Email, creds.Password, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	otp, _ := totp.GenerateCode(creds.TOTPSecret, time.Now())
	factor, err := w.svc.Access.SecondFactor(ctx, token, otp, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Access.ChangePassword(ctx, factor.Token, admin.password); err != nil {
		t.Fatal(err)
	}
	code, to, _ := b.do(http.MethodPost, "/ui/signin", url.Values{"tenant": {w.tenant.Name}, "email": {admin.email}, "password": {admin.password}})
	if code != http.StatusSeeOther || to != "/ui/signin/factor" {
		t.Fatalf("right password: %d to %q", code, to)
	}
	_, _, body := b.do(http.MethodGet, "/ui/signin/factor", nil)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the second-factor page has no CSRF token:\n%s", body)
	}
	admin.cookie, admin.csrf = b.cookie(), m[1]
	return admin
}

// cookie returns the session cookie the browser holds now.
func (b *browser) cookie() string {
	u, _ := url.Parse(b.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == api.SessionCookie {
			return c.Value
		}
	}
	return ""
}

// send sends one request with the session cookie given, not the browser's, and the CSRF
// token in the form or, for the JSON API, in its header.
func (b *browser) send(method, path, cookie, csrf string, form url.Values) (int, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		form.Set("csrf", csrf)
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else if csrf != "" {
		req.Header.Set(api.CSRFHeader, csrf)
	}
	req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: cookie})
	c := &http.Client{Transport: b.c.Transport, CheckRedirect: b.c.CheckRedirect}
	resp, err := c.Do(req)
	if err != nil {
		b.t.Error(err)
		return 0, ""
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Location")
}

// wrongCodes returns n six-digit codes none of which the authenticator accepts now.
func wrongCodes(t *testing.T, secret string, n int) []string {
	t.Helper()
	right := map[string]bool{}
	for _, skew := range []time.Duration{-time.Minute, -30 * time.Second, 0, 30 * time.Second, time.Minute} {
		c, err := totp.GenerateCode(secret, time.Now().Add(skew))
		if err != nil {
			t.Fatal(err)
		}
		right[c] = true
	}
	var out []string
	for i := 0; len(out) < n; i++ {
		if c := fmt.Sprintf("%06d", 111111+i*7919); !right[c] {
			out = append(out, c)
		}
	}
	return out
}

// An attacker who knows the password sends 40 wrong codes at once: the account ends up
// locked, so that the right code is refused too, and every answer is a refusal (401, or 429
// for the client that tries too often), none a server error.
func TestParallelWrongCodesLockTheAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		b := newBrowser(t, w)
		admin := passwordStep(t, w, b)
		codes := wrongCodes(t, admin.secret, 40)
		status := make([]int, len(codes))
		var wg sync.WaitGroup
		for i, c := range codes {
			wg.Go(func() {
				status[i], _ = b.send(http.MethodPost, "/ui/signin/factor", admin.cookie, admin.csrf, url.Values{"code": {c}})
			})
		}
		wg.Wait()
		for i, st := range status {
			if st != http.StatusUnauthorized && st != http.StatusTooManyRequests {
				t.Errorf("wrong code %d: HTTP %d, want 401 or 429", i, st)
			}
		}
		a, err := store.AccessOf(s).AdminByEmail(context.Background(), w.tenant.ID, admin.email)
		if err != nil {
			t.Fatal(err)
		}
		if !a.Locked(time.Now()) || a.FailedSignIns < access.MaxFailedSignIns {
			t.Errorf("after 40 parallel wrong codes: %d failures, locked until %v; want the account locked", a.FailedSignIns, a.LockedUntil)
		}
		fresh := newBrowser(t, w)
		code, _, _ := fresh.do(http.MethodPost, "/ui/signin", url.Values{"tenant": {w.tenant.Name}, "email": {admin.email}, "password": {admin.password}})
		if code != http.StatusUnauthorized {
			t.Errorf("the right password after the burst: HTTP %d, want 401 (locked)", code)
		}
	})
}

// Each step of the sign-in gives the browser a new session cookie and CSRF token: the
// cookie and token seen at the password step are worth nothing once the second factor is
// done, and those of the second factor nothing once the one-time password is replaced.
func TestSignInStepsRenewTheSession(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		ctx := context.Background()
		_, creds, err := w.svc.Access.CreateAdmin(ctx, "test", w.tenant, "it@musterstadt.example", mdm.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, w)
		if code, _, _ := b.do(http.MethodPost, "/ui/signin", url.Values{"tenant": {w.tenant.Name}, "email": {creds.Email}, "password": {creds.Password}}); code != http.StatusSeeOther {
			t.Fatalf("right password: %d", code)
		}
		_, _, body := b.do(http.MethodGet, "/ui/signin/factor", nil)
		passwordCookie, passwordCSRF := b.cookie(), csrfField.FindStringSubmatch(body)[1]
		otp, _ := totp.GenerateCode(creds.TOTPSecret, time.Now())
		if code, _, _ := b.do(http.MethodPost, "/ui/signin/factor", url.Values{"csrf": {passwordCSRF}, "code": {otp}}); code != http.StatusOK {
			t.Fatalf("right code: %d, want the recovery codes", code)
		}
		if b.cookie() == passwordCookie {
			t.Fatal("the second factor left the session cookie as it was")
		}
		if code, to := b.send(http.MethodGet, "/ui/signin/password", passwordCookie, "", nil); code != http.StatusSeeOther || to != "/ui/signin" {
			t.Errorf("the password step's cookie after the second factor: %d to %q, want the sign-in page", code, to)
		}
		if code, _ := b.send(http.MethodPost, "/ui/signin/password", passwordCookie, passwordCSRF, url.Values{"password": {"chosen by the attacker"}}); code != http.StatusUnauthorized {
			t.Errorf("choosing the password with the password step's cookie: %d, want 401", code)
		}
		if code, _ := b.send(http.MethodPost, "/ui/signin/password", b.cookie(), passwordCSRF, url.Values{"password": {"chosen by the attacker"}}); code != http.StatusForbidden {
			t.Errorf("the password step's CSRF token with the new cookie: %d, want 403", code)
		}
		_, _, body = b.do(http.MethodGet, "/ui/signin/password", nil)
		factorCookie, factorCSRF := b.cookie(), csrfField.FindStringSubmatch(body)[1]
		if factorCSRF == passwordCSRF {
			t.Fatal("the second factor left the CSRF token as it was")
		}
		if code, to, _ := b.do(http.MethodPost, "/ui/signin/password", url.Values{"csrf": {factorCSRF}, "password": {"a password of my own choosing"}}); code != http.StatusSeeOther || to != "/ui/" {
			t.Fatalf("new password: %d to %q", code, to)
		}
		if code, to := b.send(http.MethodGet, "/ui/", factorCookie, "", nil); code != http.StatusSeeOther || to != "/ui/signin" {
			t.Errorf("the second factor's cookie after the new password: %d to %q, want the sign-in page", code, to)
		}
		if code, _ := b.send(http.MethodPost, "/api/v1/invitations", b.cookie(), factorCSRF, nil); code != http.StatusForbidden {
			t.Errorf("a change through the API with the second factor's CSRF token: %d, want 403", code)
		}
		if code, _, body := b.do(http.MethodGet, "/ui/", nil); code != http.StatusOK || !strings.Contains(body, creds.Email) {
			t.Errorf("the renewed session: %d", code)
		}
	})
}
