package ios

import (
	"errors"
	"net/http"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/pki"
)

// maxEnrolRequest bounds what the phone posts to the BaseURL: a small signed plist about
// the phone (language, product, OS version), which trennwand does not need.
const maxEnrolRequest = 64 << 10

// profileContentType is the media type of a signed configuration profile.
const profileContentType = "application/x-apple-aspen-config"

// enrol answers the phone's request for its enrolment profile on the BaseURL of the way.
// Without a valid enrolment token it answers the challenge that sends the phone to the
// way's sign-in page; with one, the signed profile of the token's enrolment, carrying a
// fresh one-time SCEP challenge bound to it. A device is enrolled only the way of its
// ownership: a token of the employee's own phone never gets a device enrolment's profile,
// whichever BaseURL the phone posts to, nor the reverse.
func (p *Platform) enrol(w http.ResponseWriter, r *http.Request, way enrolmentWay) {
	if _, ok := readBody(w, r, maxEnrolRequest); !ok {
		return
	}
	d, ok := p.authenticate(w, r, way.signInURL)
	if !ok {
		return
	}
	if p.wayOf(d.Ownership).ownership != way.ownership {
		p.log.Info("enrolment profile refused: the device enrols the other way", "tenant", d.TenantID, "device", d.ID, "way", way.version)
		http.Error(w, "this enrolment is for a phone of the other ownership; start again from the device's settings with the right invitation", http.StatusForbidden)
		return
	}
	// The profile is handed out until the phone is enrolled; an active enrolment that
	// asked again would be a second enrolment of the same invitation.
	if d.State != mdm.DeviceInvited && d.State != mdm.DeviceEnrolling {
		http.Error(w, "this enrolment is complete; ask your IT for a new invitation to enrol again", http.StatusForbidden)
		return
	}
	p.serveProfile(w, r, d, false)
}

// serveProfile answers with the signed enrolment profile of device d: a device enrolment
// for a company-owned one (automated when Automated Device Enrollment set it up), else a
// User Enrolment.
func (p *Platform) serveProfile(w http.ResponseWriter, r *http.Request, d mdm.Device, automated bool) {
	topic, err := p.topic(r.Context(), d.TenantID)
	if errors.Is(err, mdm.ErrNotFound) {
		p.log.Error("enrolment profile refused: the tenant has no APNs push certificate", "tenant", d.TenantID)
		http.Error(w, "the server is not ready for iPhone enrolment yet: IT has to upload the Apple push certificate", http.StatusServiceUnavailable)
		return
	} else if err != nil {
		p.log.Error("read the tenant's push certificate", "tenant", d.TenantID, "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	body, err := p.enrolmentProfile(r, d, topic, automated)
	if err != nil {
		p.log.Error("make enrolment profile", "device", d.ID, "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	p.log.Info("enrolment profile sent", "tenant", d.TenantID, "device", d.ID)
	w.Header().Set("Content-Type", profileContentType)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(body)
}

// enrolmentProfile makes the signed enrolment profile of the device.
func (p *Platform) enrolmentProfile(r *http.Request, d mdm.Device, topic string, automated bool) ([]byte, error) {
	emp, err := p.svc.Enrolment.DeviceEmployee(r.Context(), d)
	if err != nil {
		return nil, err
	}
	ch, err := p.ca.NewChallenge(r.Context(), pki.Identity{TenantID: d.TenantID, EnrolmentID: d.ID})
	if err != nil {
		return nil, err
	}
	content, err := p.profile(profileRequest{DeviceID: d.ID, ManagedAppleID: emp.ManagedAppleID, Challenge: ch.Secret, Topic: topic,
		Device: companyOwned(d), Automated: automated})
	if err != nil {
		return nil, err
	}
	return p.sign(content)
}
