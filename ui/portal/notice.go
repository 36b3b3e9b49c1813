package portal

import (
	"errors"
	"net/http"
	"strings"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/ui"
)

// DetectPlatform guesses the platform of the browser's phone from its User-Agent; empty
// when it cannot tell (a computer, or an iPad that presents itself as a Mac). The employee
// can always choose the other one.
func DetectPlatform(userAgent string) mdm.Platform {
	switch {
	case strings.Contains(userAgent, "Android"):
		return mdm.PlatformAndroid
	case strings.Contains(userAgent, "iPhone"), strings.Contains(userAgent, "iPad"), strings.Contains(userAgent, "iPod"):
		return mdm.PlatformIOS
	}
	return ""
}

// noticePage is what the notice page shows.
type noticePage struct {
	Code     string
	View     enrolment.PortalView
	Notice   mdm.Notice
	Action   string
	Other    mdm.Platform // the platform the employee can switch to; empty if fixed
	OtherURL string
	Problem  string // message ID of what went wrong with the last submission
	// SignInWith is the provider at which the employee signs in before the phone is set
	// up; "" when the tenant does not ask for it.
	SignInWith string
}

// serveEnter answers /e/: with ?code= it goes to the code's page (for codes typed from a
// letter), otherwise it shows a form to type one.
func (p *Portal) serveEnter(w http.ResponseWriter, r *http.Request) {
	if code := enrolment.NormalizeInvitationCode(r.URL.Query().Get("code")); code != "" {
		http.Redirect(w, r, codeURL(code), http.StatusSeeOther)
		return
	}
	p.render(w, r, http.StatusOK, pageEnter, "enter.title", nil)
}

// serveInvitation shows where the employee stands: the notice before anything else, the
// iPhone's steps after acknowledging it, and the status page once a phone is enrolled.
// While the invitation's platform is not set up by IT, it says so instead.
func (p *Portal) serveInvitation(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	v, r, err := p.open(r, code)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	switch {
	case v.Redeemed():
		p.serveStatus(w, r, code, v)
	case v.Acknowledged() && r.URL.Query().Get("choose") == "":
		if err := p.cfg.Service.Enrolment.PlatformSetUp(r.Context(), v.Tenant, mdm.PlatformIOS); err != nil {
			p.fail(w, r, err)
			return
		}
		p.serveIOSSteps(w, r, code, v)
	default:
		if err := p.cfg.Service.Enrolment.PlatformSetUp(r.Context(), v.Tenant, v.Invitation.Platform); err != nil {
			p.fail(w, r, err)
			return
		}
		p.serveNotice(w, r, http.StatusOK, code, v, chosenPlatform(r, v.Invitation), "")
	}
}

// chosenPlatform is the platform the notice is shown for: the invitation's, else the one
// the employee chose, else the one the browser suggests, else Android, the more common.
func chosenPlatform(r *http.Request, inv mdm.Invitation) mdm.Platform {
	if inv.Platform != mdm.PlatformAny {
		return inv.Platform
	}
	if p, err := mdm.ParsePlatform(r.FormValue("platform")); err == nil {
		return p
	}
	if p := DetectPlatform(r.UserAgent()); p != "" {
		return p
	}
	return mdm.PlatformAndroid
}

// serveNotice shows the privacy notice for the platform with the acknowledgement form.
func (p *Portal) serveNotice(w http.ResponseWriter, r *http.Request, status int, code string, v enrolment.PortalView, platform mdm.Platform, problemID string) {
	notice, err := mdm.PrivacyNotice(platform, v.Invitation.Ownership)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	page := noticePage{Code: code, View: v, Notice: notice, Action: withLang(r, codeURL(code, "accept")), Problem: problemID}
	if page.SignInWith, err = p.cfg.Service.Enrolment.SignInWith(r.Context(), v.Tenant.ID); err != nil {
		p.fail(w, r, err)
		return
	}
	if v.Invitation.Platform == mdm.PlatformAny {
		page.Other = mdm.PlatformIOS
		if platform == mdm.PlatformIOS {
			page.Other = mdm.PlatformAndroid
		}
		page.OtherURL = codeURL(code) + "?choose=1&platform=" + string(page.Other)
	}
	p.render(w, r, status, pageNotice, "notice.title", page)
}

// serveAccept records the acknowledgement and moves on to the platform's step. A form
// without the acknowledgement, or for a notice that has changed since, shows the notice
// again with what to do. A tenant that asks its employees to confirm who they are sends
// the browser to its provider first; the step follows the provider's answer
// (serveSignedIn).
func (p *Portal) serveAccept(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	if err := r.ParseForm(); err != nil {
		p.badForm(w, r)
		return
	}
	platform, platformErr := mdm.ParsePlatform(r.PostForm.Get("platform"))
	if r.PostForm.Get("acknowledge") != "yes" || platformErr != nil {
		p.renotice(w, r, code, "notice.problem.acknowledge")
		return
	}
	ctx, client, version := r.Context(), p.cfg.ClientAddr(r), r.PostForm.Get("notice_version")
	to, err := p.cfg.Service.Enrolment.BeginConfirmation(ctx, client, enrolment.ConfirmRequest{Via: enrolment.ViaPortal, Code: code,
		Platform: platform, NoticeVersion: version, RedirectURL: p.callbackURL(r)})
	if errors.Is(err, enrolment.ErrNoConfirmation) {
		_, err = p.cfg.Service.Enrolment.AcceptNotice(ctx, client, code, platform, version)
	}
	switch {
	case errors.Is(err, mdm.ErrConflict):
		p.renotice(w, r, code, "notice.problem.changed")
	case errors.Is(err, enrolment.ErrNoManagedAppleID):
		p.renotice(w, r, code, "notice.problem.no_apple_account")
	case errors.Is(err, enrolment.ErrWrongPlatform):
		p.renotice(w, r, code, "notice.problem.platform")
	case errors.Is(err, enrolment.ErrSignInFailed): // the provider cannot be reached
		p.signInProblem(w, r, err)
	case err != nil: // a platform not set up yet, too
		p.fail(w, r, err)
	case to.URL != "":
		signInCookie.Set(w, to.State)
		ui.RememberLang(w, r)
		http.Redirect(w, r, to.URL, http.StatusSeeOther)
	default:
		http.Redirect(w, r, withLang(r, codeURL(code)), http.StatusSeeOther)
	}
}

// renotice shows the notice again with a problem, for the platform of the form.
func (p *Portal) renotice(w http.ResponseWriter, r *http.Request, code, problemID string) {
	v, r, err := p.open(r, code)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.serveNotice(w, r, http.StatusBadRequest, code, v, chosenPlatform(r, v.Invitation), problemID)
}

// iosPage is what the iPhone's steps show.
type iosPage struct {
	Code, ChooseURL string
	Step            mdm.EnrolmentStep
	Available       bool
	Progress        []shownStep
	Refresh         refresh
	// SignInWith is the provider at which the phone's sign-in asks the employee to sign
	// in after the code; "" when the tenant does not ask for it.
	SignInWith string
}

// serveIOSSteps shows how to enrol an iPhone after the notice: the phone's settings, the
// managed Apple account, and the code the sign-in asks for. The device does not exist
// yet (the phone creates it when it signs in), so the driver and the progress are asked
// about the device as it will be. The page waits for the phone and reloads itself until
// it has signed in; then the same address shows the status page.
func (p *Portal) serveIOSSteps(w http.ResponseWriter, r *http.Request, code string, v enrolment.PortalView) {
	page := iosPage{Code: enrolment.NormalizeInvitationCode(code), ChooseURL: codeURL(code) + "?choose=1"}
	if d, ok := p.cfg.Drivers[mdm.PlatformIOS]; ok {
		future := mdm.Device{TenantID: v.Tenant.ID, EmployeeID: v.Employee.ID,
			InvitationID: &v.Invitation.ID, Platform: mdm.PlatformIOS, State: mdm.DeviceInvited}
		step, err := d.EnrolmentStep(r.Context(), v.Tenant, future)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		apps, err := p.cfg.Service.Enrolment.WorkAppsOf(r.Context(), future)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		page.Step, page.Available = step, true
		pr := progressOf(future.State, apps[future.ID])
		page.Progress = pr.show(p.catalog.Localizer(ui.Lang(r)))
		page.Refresh = p.autoRefresh(w, r, code, pr.Waiting())
	}
	if page.Step.Account == "" {
		page.Step.Account = v.Employee.ManagedAppleID
	}
	signIn, err := p.cfg.Service.Enrolment.SignInWith(r.Context(), v.Tenant.ID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	page.SignInWith = signIn
	p.render(w, r, http.StatusOK, pageIOS, "ios.title", page)
}
