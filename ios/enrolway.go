package ios

import (
	"net/http"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

// enrolmentWay is one of the two account-driven enrolments an iPhone or iPad makes: User
// Enrolment of the employee's own phone (mdm-byod), or Device Enrollment of a
// company-owned one (mdm-adde, iOS 17 and later). Both have the same discovery, the same
// sign-in with the invitation code and the same kind of signed profile; what differs is
// which invitations the sign-in takes (those of its ownership alone, so that the employer
// never gets the rights of a device enrolment on a private phone by the phone's choice of
// menu) and what the profile grants.
type enrolmentWay struct {
	p         *Platform
	ownership mdm.Ownership
	// version is the Version of the way's entry in the discovery answer.
	version string
	// enrolPath and signInPath are the way's BaseURL and sign-in page under the public
	// URL; enrolURL and signInURL the same as absolute URLs.
	enrolPath, signInPath string
	enrolURL, signInURL   string
}

// userEnrolment is the way of the employee's own phone.
func (p *Platform) userEnrolment() enrolmentWay {
	return enrolmentWay{p: p, ownership: mdm.OwnershipPersonal, version: "mdm-byod",
		enrolPath: PathEnrol, signInPath: PathSignIn, enrolURL: p.urls.enrol, signInURL: p.urls.signIn}
}

// deviceEnrolment is the way of a company-owned phone.
func (p *Platform) deviceEnrolment() enrolmentWay {
	return enrolmentWay{p: p, ownership: mdm.OwnershipCompany, version: "mdm-adde",
		enrolPath: PathEnrolDevice, signInPath: PathSignInDevice, enrolURL: p.urls.enrolDevice, signInURL: p.urls.signInDevice}
}

// wayOf is the way a device of the ownership enrols; a device from before ownership was
// recorded is the employee's own.
func (p *Platform) wayOf(o mdm.Ownership) enrolmentWay {
	if o == mdm.OwnershipCompany {
		return p.deviceEnrolment()
	}
	return p.userEnrolment()
}

// companyOwned reports whether the device is the employer's.
func companyOwned(d mdm.Device) bool { return d.Ownership == mdm.OwnershipCompany }

// serveEnrol answers the phone's request for its enrolment profile on the way's BaseURL
// (see Platform.enrol).
func (w enrolmentWay) serveEnrol(rw http.ResponseWriter, r *http.Request) { w.p.enrol(rw, r, w) }

// serveSignInForm shows the way's sign-in page. The phone opens it with the managed Apple
// account in user-identifier, which the form carries along.
func (w enrolmentWay) serveSignInForm(rw http.ResponseWriter, r *http.Request) {
	w.p.renderSignIn(rw, r, w, http.StatusOK, r.URL.Query().Get("user-identifier"), nil)
}

// serveSignIn redeems the invitation code of the way's form (see Platform.signIn).
func (w enrolmentWay) serveSignIn(rw http.ResponseWriter, r *http.Request) { w.p.signIn(rw, r, w) }

// ownershipProblem says why an invitation of the other ownership was refused on the way.
func ownershipProblem(e *enrolment.OwnershipError) *problem {
	if e.Invitation == mdm.OwnershipCompany {
		return &problem{
			DE: "Diese Einladung gilt für ein dienstliches iPhone oder iPad Ihres Arbeitgebers, nicht für Ihr privates Gerät. Es wurde nichts eingerichtet. Richten Sie damit das dienstliche Gerät ein, oder wenden Sie sich an Ihre IT.",
			EN: "This invitation is for a company-owned iPhone or iPad of your employer, not for your own device. Nothing was set up. Use it to set up the company device, or contact your IT."}
	}
	return &problem{
		DE: "Diese Einladung gilt für Ihr privates iPhone oder iPad: Dort richtet sie nur einen getrennten Arbeitsbereich ein. Ein dienstliches Gerät lässt sich damit nicht einrichten. Es wurde nichts eingerichtet. Wenden Sie sich an Ihre IT.",
		EN: "This invitation is for your own iPhone or iPad, where it sets up only a separate work space. It cannot set up a company device. Nothing was set up. Please contact your IT."}
}
