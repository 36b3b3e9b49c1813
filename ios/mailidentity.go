package ios

import (
	"context"
	"errors"
	"net/http"

	"github.com/trennwand/trennwand/ios/ddm"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/pki"
)

// PathMailIdentity is the DataURL of the work mail account's SCEP asset: a declaratively
// managed phone fetches its SCEP document here, authenticated as for MDM (its enrolment
// token and an Mdm-Signature by its device certificate), when it first gets the asset or
// the asset changes.
const PathMailIdentity = "/mdm/ddm/mail-identity"

// mailOf is the policy's work mail account set up for the employee, as a declaration set
// holds it; nil when the policy has none.
func (p *Platform) mailOf(wp mdm.WorkPolicy, emp mdm.Employee) *ddm.Mail {
	if !wp.Mail.Configured() {
		return nil
	}
	return &ddm.Mail{Account: wp.Mail, FullName: emp.Name, Email: emp.Email,
		IdentityURL: p.cfg.PublicURL.JoinPath(PathMailIdentity).String()}
}

// mailEmployees are the employees of the devices, by ID, when the policy has a work mail
// account that needs their addresses; none otherwise.
func (p *Platform) mailEmployees(ctx context.Context, t mdm.Tenant, wp mdm.WorkPolicy, devices []mdm.Device) (map[string]mdm.Employee, error) {
	if !wp.Mail.Configured() {
		return nil, nil
	}
	return p.svc.Enrolment.DeviceEmployees(ctx, t.ID, devices)
}

// serveMailIdentity answers the phone's fetch of its mail account's SCEP document with a
// fresh one-time challenge bound to its enrolment, which the CA keeps as a hash only. The
// certificate it gets carries the mail marker, so that it never passes as the phone's MDM
// identity (pki.PurposeMail). The
// challenge is in the document and never in the declaration, so the set's token stays
// the same however often the phone fetches; it fetches when the asset is new to it or
// changed, and a challenge it does not use expires within the CA's challenge validity.
// Only an active phone whose set holds the asset gets one: a phone being removed gets no
// new certificate.
func (p *Platform) serveMailIdentity(w http.ResponseWriter, r *http.Request) {
	d, _, _, ok := p.signedRequest(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	held, err := p.ddm.Holds(ctx, d, "asset", ddm.MailIdentityIdentifier)
	if err != nil && !errors.Is(err, ddm.ErrNotEnabled) {
		p.log.Error("mail identity: read the declaration set", "device", d.ID, "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	if !held || d.State != mdm.DeviceActive {
		http.Error(w, "this enrolment has no work mail certificate to fetch", http.StatusNotFound)
		return
	}
	ch, err := p.ca.NewMailChallenge(ctx, pki.Identity{TenantID: d.TenantID, EnrolmentID: d.ID})
	if err != nil {
		p.log.Error("mail identity: challenge", "device", d.ID, "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	doc, err := ddm.SCEPDocument(p.ca.SCEPURL(), ch.Secret)
	if err != nil {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(doc)
}
