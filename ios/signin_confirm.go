package ios

import (
	"net/http"

	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/openid"
)

// signInCookie binds an employee's sign-in at the tenant's provider to the sign-in sheet
// that began it.
var signInCookie = openid.StateCookie{Name: "trennwand_employee_state", Path: PathSignIn + "/", MaxAge: enrolment.ConfirmTimeout}

// serveSignedIn takes the provider's answer inside the phone's sign-in sheet, for a
// tenant that asks its employees to confirm who they are: the invitation's employee gets
// the enrolment token exactly as after the code alone (a 308 to the result URL); anyone
// else gets the form again with why, and nothing changed. The invitation's ownership was
// checked against the way before the provider was asked, so the answer serves both ways;
// a form shown again is User Enrolment's, whose words do not promise more.
func (p *Platform) serveSignedIn(w http.ResponseWriter, r *http.Request) {
	answer := openid.AnswerOf(r.URL.Query())
	if !signInCookie.Take(w, r, answer.State) {
		answer.State = ""
	}
	done, err := p.svc.Enrolment.FinishConfirmation(r.Context(), p.cfg.ClientAddr(r), enrolment.ViaApple, p.urls.signedIn, answer)
	p.answerSignIn(w, r, p.userEnrolment(), done.Account, done.Started, err)
}
