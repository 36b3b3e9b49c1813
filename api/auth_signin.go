package api

import (
	"bytes"
	"cmp"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"

	"github.com/labstack/echo/v4"
	"github.com/skip2/go-qrcode"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/ui/dashboard"
)

// signIn serves the pages of the dashboard's sign-in: password, second factor (set up at
// first sign-in, with recovery codes), the choice of an own password, and sign-out.
type signIn struct {
	access *access.Service
	dash   *dashboard.Dashboard
	// client is the address a request comes from, as the trusted proxies resolve it.
	client func(*http.Request) netip.Addr
	// conn reaches the tenants' single sign-on providers (auth_sso.go).
	conn ssoConnector
	log  *slog.Logger
}

// stagePage is where a session at each stage of the sign-in continues.
var stagePage = map[access.SessionStage]string{
	access.StageTOTPSetup:      dashboard.Prefix + "/signin/factor",
	access.StageSecondFactor:   dashboard.Prefix + "/signin/factor",
	access.StagePasswordChange: dashboard.Prefix + "/signin/password",
	access.StageActive:         dashboard.Prefix + "/",
}

// busyRetryAfter is the Retry-After of a sign-in the server was too busy to check, in
// seconds: about one password check's wait.
const busyRetryAfter = "5"

func (s *signIn) form(c echo.Context) error {
	f := dashboard.SignInForm{Tenant: c.QueryParam("tenant")}
	f.SSO = s.ssoChoice(c.Request().Context(), f.Tenant)
	s.dash.SignInPage(c.Response(), c.Request(), http.StatusOK, f)
	return nil
}

func (s *signIn) password(c echo.Context) error {
	r := c.Request()
	f := dashboard.SignInForm{Tenant: r.PostFormValue("tenant"), Email: r.PostFormValue("email")}
	token, sess, err := s.access.SignIn(r.Context(), f.Tenant, f.Email, r.PostFormValue("password"), s.client(r).String())
	switch {
	case errors.Is(err, access.ErrBusy):
		f.Busy = true
		c.Response().Header().Set("Retry-After", busyRetryAfter)
		s.dash.SignInPage(c.Response(), r, http.StatusServiceUnavailable, f)
		return nil
	case errors.Is(err, access.ErrThrottled):
		f.Throttled = true
		s.dash.SignInPage(c.Response(), r, http.StatusTooManyRequests, f)
		return nil
	case errors.Is(err, mdm.ErrUnauthenticated):
		f.Failed = true
		s.dash.SignInPage(c.Response(), r, http.StatusUnauthorized, f)
		return nil
	case err != nil:
		return err
	}
	setSessionCookie(c.Response(), token)
	return c.Redirect(http.StatusSeeOther, stagePage[sess.Stage])
}

// pending returns the session of a sign-in that is at one of the stages, or sends the
// browser to where its session belongs. A form sent with a session that has ended (run
// out, renewed at a step, or ended by a lockout) is refused with 401 and the sign-in page.
func (s *signIn) pending(c echo.Context, stages ...access.SessionStage) (access.Session, string, error) {
	token := sessionToken(c.Request())
	sess, _, err := s.access.SessionFor(c.Request().Context(), token)
	if errors.Is(err, mdm.ErrUnauthenticated) {
		if safeMethod(c.Request()) {
			return sess, "", c.Redirect(http.StatusSeeOther, dashboard.Prefix+"/signin")
		}
		clearSessionCookie(c.Response())
		s.dash.SignInPage(c.Response(), c.Request(), http.StatusUnauthorized, dashboard.SignInForm{Failed: true})
		return sess, "", nil
	}
	if err != nil {
		return sess, "", err
	}
	for _, st := range stages {
		if sess.Stage == st {
			return sess, token, nil
		}
	}
	return sess, "", c.Redirect(http.StatusSeeOther, stagePage[sess.Stage])
}

func (s *signIn) factorForm(c echo.Context) error {
	sess, token, err := s.pending(c, access.StageTOTPSetup, access.StageSecondFactor)
	if token == "" {
		return err
	}
	return s.showFactor(c, sess, token, http.StatusOK, false, false)
}

// showFactor renders the second-factor step: the code, and the passkeys when the
// administrator has any and the factor is set up.
func (s *signIn) showFactor(c echo.Context, sess access.Session, token string, status int, failed, passkeyFailed bool) error {
	f := dashboard.FactorForm{CSRF: sess.CSRF, Failed: failed, PasskeyFailed: passkeyFailed}
	if sess.Stage == access.StageSecondFactor {
		var err error
		if f.Passkey, err = s.access.HasPasskey(c.Request().Context(), sess); err != nil {
			return err
		}
	}
	if sess.Stage == access.StageTOTPSetup {
		secret, _, err := s.access.TOTPSetup(c.Request().Context(), token)
		if err != nil {
			return err
		}
		f.Setup, f.Secret, f.QR = true, secret, dashboard.Prefix+"/signin/totp.png"
	}
	s.dash.FactorPage(c.Response(), c.Request(), status, f)
	return nil
}

// totpQR is the QR code of the second-factor secret, on the set-up step only.
func (s *signIn) totpQR(c echo.Context) error {
	_, token, err := s.pending(c, access.StageTOTPSetup)
	if token == "" {
		return err
	}
	_, otpURL, err := s.access.TOTPSetup(c.Request().Context(), token)
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(otpURL, qrcode.Medium, 256)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Stream(http.StatusOK, "image/png", bytes.NewReader(png))
}

func (s *signIn) factor(c echo.Context) error {
	sess, token, err := s.pending(c, access.StageTOTPSetup, access.StageSecondFactor)
	if token == "" {
		return err
	}
	r := c.Request()
	if !s.genuine(c, sess) {
		return nil
	}
	next, err := s.access.SecondFactor(r.Context(), token, r.PostFormValue("code"), s.client(r).String())
	if err != nil {
		return s.factorRefused(c, sess, token, err, false)
	}
	setSessionCookie(c.Response(), next.Token)
	if len(next.RecoveryCodes) > 0 {
		s.dash.RecoveryCodesPage(c.Response(), r, next.RecoveryCodes, stagePage[next.Session.Stage])
		return nil
	}
	return c.Redirect(http.StatusSeeOther, stagePage[next.Session.Stage])
}

// factorRefused answers a refused second factor (a code, or a passkey's answer): the
// throttle's page, the sign-in again when the refusal locked the account and ended the
// sign-in, or the step again saying what was refused.
func (s *signIn) factorRefused(c echo.Context, sess access.Session, token string, err error, passkey bool) error {
	if s.ended(c, token, err) {
		return nil
	}
	if errors.Is(err, mdm.ErrUnauthenticated) {
		return s.showFactor(c, sess, token, http.StatusUnauthorized, !passkey, passkey)
	}
	return err
}

// ended answers a refused proof of the second factor that ends where the browser is: the
// client tried too often, or the refusal locked the account and so ended its session. It
// reports whether it answered.
func (s *signIn) ended(c echo.Context, token string, err error) bool {
	r := c.Request()
	switch {
	case errors.Is(err, access.ErrThrottled):
		s.dash.SignInPage(c.Response(), r, http.StatusTooManyRequests, dashboard.SignInForm{Throttled: true})
		return true
	case errors.Is(err, mdm.ErrUnauthenticated):
		if _, _, alive := s.access.SessionFor(r.Context(), token); alive != nil {
			clearSessionCookie(c.Response())
			s.dash.SignInPage(c.Response(), r, http.StatusUnauthorized, dashboard.SignInForm{Failed: true})
			return true
		}
	}
	return false
}

// genuine reports whether a form carries the session's CSRF token, and answers 403 when
// it does not.
func (s *signIn) genuine(c echo.Context, sess access.Session) bool {
	if sameToken(c.Request().PostFormValue("csrf"), sess.CSRF) {
		return true
	}
	s.dash.Problem(c.Response(), c.Request(), http.StatusForbidden, "problem.csrf")
	return false
}

func (s *signIn) passwordForm(c echo.Context) error {
	sess, token, err := s.pending(c, access.StagePasswordChange)
	if token == "" {
		return err
	}
	s.dash.PasswordPage(c.Response(), c.Request(), http.StatusOK, dashboard.PasswordForm{CSRF: sess.CSRF})
	return nil
}

func (s *signIn) changePassword(c echo.Context) error {
	sess, token, err := s.pending(c, access.StagePasswordChange)
	if token == "" {
		return err
	}
	r := c.Request()
	if !s.genuine(c, sess) {
		return nil
	}
	next, err := s.access.ChangePassword(r.Context(), token, r.PostFormValue("password"))
	if errors.Is(err, mdm.ErrInvalid) {
		s.dash.PasswordPage(c.Response(), r, http.StatusBadRequest, dashboard.PasswordForm{CSRF: sess.CSRF, Error: err.Error()})
		return nil
	} else if errors.Is(err, access.ErrBusy) {
		c.Response().Header().Set("Retry-After", busyRetryAfter)
		s.dash.PasswordPage(c.Response(), r, http.StatusServiceUnavailable, dashboard.PasswordForm{CSRF: sess.CSRF, Busy: true})
		return nil
	} else if err != nil {
		return err
	}
	setSessionCookie(c.Response(), next.Token)
	return c.Redirect(http.StatusSeeOther, dashboard.Prefix+"/")
}

func (s *signIn) signOut(c echo.Context) error {
	r := c.Request()
	token := sessionToken(r)
	to := dashboard.Prefix + "/signin"
	if sess, a, err := s.access.SessionFor(r.Context(), token); err == nil {
		if !s.genuine(c, sess) {
			return nil
		}
		if err := s.access.SignOut(r.Context(), token); err != nil {
			return err
		}
		to = cmp.Or(s.endSession(r.Context(), a), to)
	}
	clearSessionCookie(c.Response())
	return c.Redirect(http.StatusSeeOther, to)
}
