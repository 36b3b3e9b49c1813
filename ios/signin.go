package ios

import (
	_ "embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

//go:embed signin.html
var signInHTML string

var signInPage = template.Must(template.New("signin").Parse(signInHTML))

// maxSignInForm bounds the sign-in form's body: a code and an account name.
const maxSignInForm = 4 << 10

// resultURL is where a successful sign-in sends the phone, with the token appended.
const resultURL = "apple-remotemanagement-user-login://authentication-results"

// problem is what went wrong with a sign-in, in each language of the page.
type problem struct{ DE, EN string }

// signInWords are the page's own words in one language.
type signInWords struct{ Title, Intro, Code, Continue, Sees, SeesText string }

// signInText are the page's words for the employee's own phone in its languages: it
// speaks the one the phone asks for (mdm.Language).
var signInText = map[string]signInWords{
	"de": {Title: "Arbeitsbereich einrichten",
		Intro:    "Geben Sie den Einladungscode aus Ihrer Einladung ein. Danach richtet Ihr iPhone einen getrennten Arbeitsbereich ein.",
		Code:     "Einladungscode",
		Continue: "Weiter",
		Sees:     "Was Ihre IT sieht",
		SeesText: "Ihre IT verwaltet nur den Arbeitsbereich: dienstliche Apps und ihre Daten. Private Apps, Fotos, Nachrichten, Ihren Standort und Ihre Telefonnummer sieht sie nicht, und sie kann Ihr iPhone weder löschen noch orten."},
	"en": {Title: "Set up your work space",
		Intro:    "Enter the code from your invitation. Your iPhone then sets up a separate work space.",
		Code:     "Invitation code",
		Continue: "Continue",
		Sees:     "What your IT can see",
		SeesText: "Your IT manages only the work space: work apps and their data. It cannot see your private apps, photos, messages, location or phone number, and it can neither erase nor locate your iPhone."},
}

// deviceSignInText are the page's words for a company-owned phone, which a device
// enrolment sets up.
var deviceSignInText = map[string]signInWords{
	"de": {Title: "Dienstgerät einrichten",
		Intro:    "Geben Sie den Einladungscode aus Ihrer Einladung ein. Danach wird dieses iPhone oder iPad Ihres Arbeitgebers als Dienstgerät eingerichtet.",
		Code:     "Einladungscode",
		Continue: "Weiter",
		Sees:     "Was Ihre IT sieht und tun kann",
		SeesText: "Das Gerät gehört Ihrem Arbeitgeber. Ihre IT sieht Modell, Seriennummer, Betriebssystem und Speicherkapazität, verwaltet die dienstlichen Apps und kann das Gerät sperren und, wenn es verloren ist oder zurückgegeben wird, löschen. Ihre privaten Apps, Fotos, Nachrichten, Ihren Standort und Ihre Telefonnummer sieht sie nicht."},
	"en": {Title: "Set up your company device",
		Intro:    "Enter the code from your invitation. This iPhone or iPad of your employer is then set up as a company device.",
		Code:     "Invitation code",
		Continue: "Continue",
		Sees:     "What your IT can see and do",
		SeesText: "The device belongs to your employer. Your IT sees its model, serial number, operating system and storage capacity, manages the work apps, and can lock it and, when it is lost or returned, erase it. It cannot see your private apps, photos, messages, location or phone number."},
}

// words are the sign-in page's words of the way in the language.
func (w enrolmentWay) words(lang string) signInWords {
	if w.ownership == mdm.OwnershipCompany {
		return deviceSignInText[lang]
	}
	return signInText[lang]
}

// signInForm is what the page shows, in one language.
type signInForm struct {
	Lang    string
	Words   signInWords
	Action  string
	Account string // the managed Apple account the phone signs in with, passed through
	// SetupPass binds the form of a bought device's Setup Assistant to its serial number.
	SetupPass string
	Problem   string // why the last code was refused; empty when none
}

// signIn redeems the invitation code of the way's form, for a phone of the way's
// ownership only. Success hands the phone its enrolment token with a 308 to the result
// URL; anything else shows the form again with the reason, and changes nothing (an
// invitation of the other ownership is refused on the record).
func (p *Platform) signIn(w http.ResponseWriter, r *http.Request, way enrolmentWay) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSignInForm)
	if err := r.ParseForm(); err != nil {
		p.renderSignIn(w, r, way, http.StatusBadRequest, "", &problem{
			DE: "Die Anmeldung war unvollständig. Bitte versuchen Sie es noch einmal.",
			EN: "The sign-in was incomplete. Please try again."})
		return
	}
	ctx, client := r.Context(), p.cfg.ClientAddr(r)
	account, code := r.PostForm.Get("user-identifier"), r.PostForm.Get("code")
	to, err := p.svc.Enrolment.BeginConfirmation(ctx, client, enrolment.ConfirmRequest{Via: enrolment.ViaApple, Code: code,
		Platform: mdm.PlatformIOS, Account: account, RedirectURL: p.urls.signedIn, Ownership: way.ownership})
	switch {
	case errors.Is(err, enrolment.ErrNoConfirmation):
		started, err := p.svc.Enrolment.StartEnrolmentFrom(ctx, client, enrolment.EnrolmentRequest{Code: code, Platform: mdm.PlatformIOS,
			Account: account, Ownership: way.ownership})
		p.answerSignIn(w, r, way, account, started, err)
	case err != nil:
		p.answerSignIn(w, r, way, account, enrolment.StartedEnrolment{}, err)
	default:
		signInCookie.Set(w, to.State)
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, to.URL, http.StatusSeeOther)
	}
}

// answerSignIn hands the phone its enrolment token with a 308 to the result URL, or
// shows the way's form again with why the sign-in failed.
func (p *Platform) answerSignIn(w http.ResponseWriter, r *http.Request, way enrolmentWay, account string, started enrolment.StartedEnrolment, err error) {
	if err != nil {
		status, prob := signInProblem(err)
		if status == http.StatusInternalServerError {
			p.log.Error("redeem invitation code", "error", err)
		}
		p.renderSignIn(w, r, way, status, account, prob)
		return
	}
	p.log.Info("invitation redeemed", "tenant", started.Device.TenantID, "device", started.Device.ID)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", resultURL+"?access-token="+url.QueryEscape(started.Token))
	w.WriteHeader(http.StatusPermanentRedirect)
}

// signInProblem turns why a code was refused into a status and words for the employee.
func signInProblem(err error) (int, *problem) {
	var wrong *enrolment.OwnershipError
	if errors.As(err, &wrong) {
		return http.StatusForbidden, ownershipProblem(wrong)
	}
	switch {
	case errors.Is(err, enrolment.ErrNotTheEmployee):
		return http.StatusForbidden, &problem{
			DE: "Sie haben sich mit einem Konto angemeldet, das nicht zu dieser Einladung gehört. Es wurde nichts eingerichtet. Melden Sie sich mit Ihrem eigenen Dienstkonto an oder wenden Sie sich an Ihre IT.",
			EN: "You signed in with an account that does not belong to this invitation. Nothing was set up. Sign in with your own work account, or contact your IT."}
	case errors.Is(err, enrolment.ErrSignInFailed):
		return http.StatusUnauthorized, &problem{
			DE: "Die Anmeldung mit Ihrem Dienstkonto konnte nicht bestätigt werden. Es wurde nichts geändert. Bitte geben Sie den Einladungscode noch einmal ein.",
			EN: "The sign-in with your work account could not be confirmed. Nothing was changed. Please enter the invitation code again."}
	case errors.Is(err, enrolment.ErrSignInGone):
		return http.StatusBadRequest, &problem{
			DE: "Diese Anmeldung ist unbekannt, schon benutzt oder hat zu lange gedauert. Bitte geben Sie den Einladungscode noch einmal ein.",
			EN: "This sign-in is unknown, was used already or took too long. Please enter the invitation code again."}
	case errors.Is(err, enrolment.ErrTooManyGuesses):
		return http.StatusTooManyRequests, &problem{
			DE: "Von Ihrem Netz kamen zu viele falsche Einladungscodes. Bitte warten Sie eine Viertelstunde und versuchen Sie es dann noch einmal.",
			EN: "Too many wrong invitation codes came from your network. Please wait a quarter of an hour, then try again."}
	case errors.Is(err, mdm.ErrNotFound):
		return http.StatusBadRequest, &problem{
			DE: "Diesen Einladungscode kennen wir nicht. Bitte prüfen Sie ihn und geben Sie ihn noch einmal ein.",
			EN: "We do not know this invitation code. Please check it and enter it again."}
	case errors.Is(err, enrolment.ErrInvitationGone):
		return http.StatusGone, &problem{
			DE: "Dieser Einladungscode ist schon benutzt oder abgelaufen. Bitten Sie Ihre IT um eine neue Einladung.",
			EN: "This invitation code has been used or has expired. Please ask your IT for a new invitation."}
	case errors.Is(err, enrolment.ErrWrongPlatform):
		return http.StatusBadRequest, &problem{
			DE: "Diese Einladung gilt für ein Android-Telefon, nicht für ein iPhone oder iPad.",
			EN: "This invitation is for an Android phone, not for an iPhone or iPad."}
	case errors.Is(err, enrolment.ErrNoManagedAppleID):
		return http.StatusBadRequest, &problem{
			DE: "Für Sie ist kein oder ein anderer verwalteter Apple Account hinterlegt. Bitte wenden Sie sich an Ihre IT.",
			EN: "No managed Apple Account, or a different one, is recorded for you. Please contact your IT."}
	}
	return http.StatusInternalServerError, &problem{
		DE: "Etwas ist schiefgegangen. Bitte versuchen Sie es in ein paar Minuten noch einmal.",
		EN: "Something went wrong. Please try again in a few minutes."}
}

// renderSignIn writes the way's sign-in page with the status, in the language the phone
// asks for.
func (p *Platform) renderSignIn(w http.ResponseWriter, r *http.Request, way enrolmentWay, status int, account string, prob *problem) {
	p.writeSignIn(w, r, way, status, signInForm{Account: account}, prob)
}

// writeSignIn writes the sign-in page of the way with the form's hidden fields.
func (p *Platform) writeSignIn(w http.ResponseWriter, r *http.Request, way enrolmentWay, status int, form signInForm, prob *problem) {
	lang := mdm.Language(r.Header.Get("Accept-Language"))
	form.Lang, form.Words, form.Action = lang, way.words(lang), way.signInURL
	if prob != nil {
		form.Problem = map[string]string{"de": prob.DE, "en": prob.EN}[lang]
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", lang)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Vary", "Accept-Language")
	w.WriteHeader(status)
	if err := signInPage.Execute(w, form); err != nil {
		p.log.Debug("write sign-in page", "error", err)
	}
}
