package api

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/ui/dashboard"
)

// account serves what is bound to one session rather than to a role: the administrator's
// own account page with their passkeys, the proof of the second factor that adding one
// needs, and the passkey ceremonies of the account page and of the sign-in. The browser's
// passkey interface is reached by the dashboard's script; each ceremony's options are
// answered as JSON, and its answer comes back as a plain form.
type account struct {
	signIn   *signIn
	svc      *domain.Services
	passkeys *access.Passkeys
}

// mount adds the account page and the passkey ceremonies to the dashboard's group.
func (a *account) mount(g *echo.Group) {
	g.GET("/account", a.page)
	if a.passkeys == nil {
		// Without passkeys the page says why; it has no ceremonies to offer.
		return
	}
	g.POST("/account/confirm", a.confirmCode)
	g.POST("/account/confirm/passkey/options", a.verifyOptions)
	g.POST("/account/confirm/passkey", a.confirmPasskey)
	g.POST("/account/passkeys/options", a.registerOptions)
	g.POST("/account/passkeys", a.register)
	g.POST("/account/passkeys/remove", a.remove)
	g.POST("/signin/passkey/options", a.signInOptions)
	g.POST("/signin/passkey", a.signInPasskey)
}

// active returns the request with its viewer, the session and its token when the session
// is active and a form carries its CSRF token; otherwise it has answered.
func (a *account) active(c echo.Context) (*http.Request, access.Session, mdm.Admin, string, error) {
	r, sess, admin, err := signedIn(c, a.svc)
	if r == nil {
		return nil, sess, admin, "", err
	}
	c.SetRequest(r)
	if !safeMethod(r) && !a.signIn.genuine(c, sess) {
		return nil, sess, admin, "", nil
	}
	return r, sess, admin, sessionToken(r), nil
}

func (a *account) page(c echo.Context) error {
	r, sess, admin, _, err := a.active(c)
	if r == nil {
		return err
	}
	return a.show(c, sess, admin, http.StatusOK, dashboard.AccountForm{}, "")
}

// show renders the account page with the administrator's passkeys.
func (a *account) show(c echo.Context, sess access.Session, admin mdm.Admin, status int, f dashboard.AccountForm, refused string) error {
	keys, err := a.svc.Access.AdminPasskeys(c.Request().Context(), admin)
	if err != nil {
		return err
	}
	f.Passkeys, f.Fresh, f.Off = keys, sess.FactorFresh(a.svc.Settings().Now()), a.passkeys == nil
	a.signIn.dash.AccountPage(c.Response(), c.Request(), status, f, refused)
	return nil
}

// refused shows the account page again with why a form was refused: the caller's mistake
// (400 or 409) with its reason, anything else as an error of the server.
func (a *account) refused(c echo.Context, sess access.Session, admin mdm.Admin, f dashboard.AccountForm, err error) error {
	switch {
	case errors.Is(err, mdm.ErrInvalid):
		return a.show(c, sess, admin, http.StatusBadRequest, f, err.Error())
	case errors.Is(err, mdm.ErrConflict), errors.Is(err, mdm.ErrNotFound):
		return a.show(c, sess, admin, http.StatusConflict, f, err.Error())
	}
	return err
}

// confirmCode proves the second factor again with a code, so that a passkey may be added.
func (a *account) confirmCode(c echo.Context) error {
	r, sess, admin, token, err := a.active(c)
	if r == nil {
		return err
	}
	next, err := a.svc.Access.ConfirmCode(r.Context(), token, r.PostFormValue("code"), a.signIn.client(r).String())
	return a.confirmed(c, sess, admin, token, next, err)
}

// confirmPasskey proves the second factor again with a passkey.
func (a *account) confirmPasskey(c echo.Context) error {
	r, sess, admin, token, err := a.active(c)
	if r == nil {
		return err
	}
	answer, err := access.ParseAssertion(r.PostFormValue("credential"))
	if err != nil {
		return a.refused(c, sess, admin, dashboard.AccountForm{}, err)
	}
	next, err := a.passkeys.Confirm(r.Context(), token, answer, a.signIn.client(r).String())
	return a.confirmed(c, sess, admin, token, next, err)
}

// confirmed answers a proof of the second factor: the renewed session's cookie and the
// account page, or the page again with the refusal. A refusal that locked the account
// ended the session, and the browser goes to the sign-in.
func (a *account) confirmed(c echo.Context, sess access.Session, admin mdm.Admin, token string, next access.NextStep, err error) error {
	switch {
	case err == nil:
	case a.signIn.ended(c, token, err):
		return nil
	case errors.Is(err, mdm.ErrUnauthenticated):
		return a.show(c, sess, admin, http.StatusUnauthorized, dashboard.AccountForm{Failed: true}, "")
	default:
		return a.refused(c, sess, admin, dashboard.AccountForm{}, err)
	}
	setSessionCookie(c.Response(), next.Token)
	return c.Redirect(http.StatusSeeOther, dashboard.Prefix+"/account?done=confirmed")
}

// registerOptions answers the options for the browser to make a new passkey.
func (a *account) registerOptions(c echo.Context) error {
	r, _, _, token, err := a.active(c)
	if r == nil {
		return err
	}
	opts, err := a.passkeys.BeginRegistration(r.Context(), token)
	return ceremonyOptions(c, opts, err)
}

// register adds the passkey the browser made, under the name given in the form.
func (a *account) register(c echo.Context) error {
	r, sess, admin, token, err := a.active(c)
	if r == nil {
		return err
	}
	f := dashboard.AccountForm{Name: r.PostFormValue("name")}
	reg, err := access.ParseRegistration(f.Name, r.PostFormValue("credential"))
	if err != nil {
		return a.refused(c, sess, admin, f, err)
	}
	if _, err := a.passkeys.FinishRegistration(r.Context(), token, reg); err != nil {
		return a.refused(c, sess, admin, f, err)
	}
	return c.Redirect(http.StatusSeeOther, dashboard.Prefix+"/account?done=passkey_added")
}

// remove removes one of the administrator's own passkeys.
func (a *account) remove(c echo.Context) error {
	r, sess, admin, _, err := a.active(c)
	if r == nil {
		return err
	}
	if err := a.svc.Access.RemovePasskey(r.Context(), admin, r.PostFormValue("passkey")); err != nil {
		return a.refused(c, sess, admin, dashboard.AccountForm{}, err)
	}
	return c.Redirect(http.StatusSeeOther, dashboard.Prefix+"/account?done=passkey_removed")
}

// verifyOptions answers the options for the browser to prove the second factor with a
// passkey in an active session.
func (a *account) verifyOptions(c echo.Context) error {
	r, _, _, token, err := a.active(c)
	if r == nil {
		return err
	}
	return a.beginVerification(c, token)
}

func (a *account) beginVerification(c echo.Context, token string) error {
	opts, err := a.passkeys.BeginVerification(c.Request().Context(), token)
	return ceremonyOptions(c, opts, err)
}

// signInOptions answers the options for the browser to pass the sign-in's second factor
// with a passkey.
func (a *account) signInOptions(c echo.Context) error {
	sess, token, err := a.signIn.pending(c, access.StageSecondFactor)
	if token == "" {
		return err
	}
	if !a.signIn.genuine(c, sess) {
		return nil
	}
	return a.beginVerification(c, token)
}

// signInPasskey takes the sign-in's second factor with the passkey's answer, as the code
// form does with a code.
func (a *account) signInPasskey(c echo.Context) error {
	sess, token, err := a.signIn.pending(c, access.StageSecondFactor)
	if token == "" {
		return err
	}
	r := c.Request()
	if !a.signIn.genuine(c, sess) {
		return nil
	}
	answer, err := access.ParseAssertion(r.PostFormValue("credential"))
	if err == nil {
		var next access.NextStep
		if next, err = a.passkeys.SignIn(r.Context(), token, answer, a.signIn.client(r).String()); err == nil {
			setSessionCookie(c.Response(), next.Token)
			return c.Redirect(http.StatusSeeOther, stagePage[next.Session.Stage])
		}
	}
	if errors.Is(err, mdm.ErrInvalid) {
		return a.signIn.showFactor(c, sess, token, http.StatusBadRequest, false, true)
	}
	return a.signIn.factorRefused(c, sess, token, err, true)
}

// ceremonyOptions answers a ceremony's options for the script, or why there are none: the
// session ended (401), a conflict such as no passkey yet or a factor not proved lately
// (409), or an error of the server.
func ceremonyOptions(c echo.Context, opts any, err error) error {
	switch {
	case err == nil:
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusOK, opts)
	case errors.Is(err, mdm.ErrUnauthenticated):
		return c.JSON(http.StatusUnauthorized, map[string]string{"error": "sign in again"})
	case errors.Is(err, mdm.ErrConflict), errors.Is(err, mdm.ErrInvalid):
		return c.JSON(http.StatusConflict, map[string]string{"error": err.Error()})
	}
	return err
}
