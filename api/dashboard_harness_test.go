package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/trennwand/trennwand/mdm"
)

// session is an active dashboard session of a new administrator with the role, signed
// in through the domain service the way the sign-in pages do it.
type session struct {
	token, csrf string
}

func (w *apiWorld) session(tn mdm.Tenant, role mdm.Role) session {
	w.t.Helper()
	ctx := context.Background()
	email := fmt.Sprintf("%s-%s@%s.example", role, mdm.NewID()[:6], tn.Name)
	_, creds, err := w.svc.Access.CreateAdmin(ctx, "test", tn, email, role)
	if err != nil {
		w.t.Fatal(err)
	}
	client := "203.0.113." + mdm.NewID()[:3]
	token, _, err := w.svc.Access.SignIn(ctx, tn.Name, email, creds.Password, client)
	if err != nil {
		w.t.Fatal(err)
	}
	code, _ := totp.GenerateCode(creds.TOTPSecret, time.Now())
	factor, err := w.svc.Access.SecondFactor(ctx, token, code, client)
	if err != nil {
		w.t.Fatal(err)
	}
	active, err := w.svc.Access.ChangePassword(ctx, factor.Token, "a password of my own choosing")
	if err != nil {
		w.t.Fatal(err)
	}
	return session{token: active.Token, csrf: active.Session.CSRF}
}

// page sends one browser request to the dashboard with the session (none when empty) and
// returns the status, the redirect target and the body. A form is sent with the session's
// CSRF token unless it carries one.
func (w *apiWorld) page(method, path string, s session, form url.Values) (int, string, string) {
	w.t.Helper()
	return w.pageIn("", method, path, s, form)
}

// pageIn is page from a browser that asks for the language lang (none when empty), as
// its Accept-Language and its remembered choice.
func (w *apiWorld) pageIn(lang, method, path string, s session, form url.Values) (int, string, string) {
	w.t.Helper()
	var body io.Reader
	if form != nil {
		if !form.Has("csrf") {
			form.Set("csrf", s.csrf)
		}
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if s.token != "" {
		req.AddCookie(&http.Cookie{Name: "trennwand_session", Value: s.token})
	}
	askFor(req, lang)
	rec := httptest.NewRecorder()
	w.srv.Echo().ServeHTTP(rec, req)
	return rec.Code, rec.Header().Get("Location"), rec.Body.String()
}

// askFor makes req come from a browser that asks for the language lang, as its
// Accept-Language and its remembered choice; from one that asks for none when lang is empty.
func askFor(req *http.Request, lang string) {
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
		req.AddCookie(&http.Cookie{Name: "lang", Value: lang})
	}
}
