package portal

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/openid"
)

// pathSignedIn is where the tenant's provider sends an employee back after signing in:
// one address for every tenant, since the sign-in's state names the invitation. The
// tenant registers it at its provider as a redirect URI.
const pathSignedIn = "/e/signin/callback"

// signInCookie binds an employee's sign-in at the provider to the browser that began it.
var signInCookie = openid.StateCookie{Name: "trennwand_employee_state", Path: "/e/signin/", MaxAge: enrolment.ConfirmTimeout}

// SignedInURL is the portal's redirect URI under the public URL, which the tenant
// registers at its provider when its employees confirm who they are.
func SignedInURL(public *url.URL) string { return public.JoinPath(pathSignedIn).String() }

// callbackURL is the redirect URI under the configured public URL, or under the host the
// request came to when none is configured.
func (p *Portal) callbackURL(r *http.Request) string {
	if p.cfg.PublicURL != nil {
		return SignedInURL(p.cfg.PublicURL)
	}
	return SignedInURL(&url.URL{Scheme: "https", Host: r.Host})
}

// serveSignedIn takes the provider's answer for an employee who confirms who they are:
// only the browser that began the sign-in can bring it back. The invitation's employee
// goes on to the step they chose (the page of their code shows it); someone else gets a
// page that says so, and nothing changed.
func (p *Portal) serveSignedIn(w http.ResponseWriter, r *http.Request) {
	answer := openid.AnswerOf(r.URL.Query())
	if !signInCookie.Take(w, r, answer.State) {
		answer.State = ""
	}
	done, err := p.cfg.Service.Enrolment.FinishConfirmation(r.Context(), p.cfg.ClientAddr(r), enrolment.ViaPortal, p.callbackURL(r), answer)
	if err != nil {
		if !p.signInProblem(w, r, err) {
			p.fail(w, r, err)
		}
		return
	}
	http.Redirect(w, r, withLang(r, codeURL(done.Code)), http.StatusSeeOther)
}

// signInProblem answers what went wrong with an employee's sign-in at the provider with
// the page that says it; false for any other error. Each says that nothing changed.
func (p *Portal) signInProblem(w http.ResponseWriter, r *http.Request, err error) bool {
	status, id := 0, ""
	switch {
	case errors.Is(err, enrolment.ErrNotTheEmployee):
		status, id = http.StatusForbidden, "problem.not_you"
	case errors.Is(err, enrolment.ErrSignInFailed):
		status, id = http.StatusUnauthorized, "problem.sign_in"
	case errors.Is(err, enrolment.ErrSignInGone):
		status, id = http.StatusBadRequest, "problem.sign_in_gone"
	default:
		return false
	}
	p.render(w, r, status, pageProblem, id+".title", problem{Heading: id + ".title", Text: id + ".text"})
	return true
}
