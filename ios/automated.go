package ios

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"

	"github.com/micromdm/plist"
	"github.com/smallstep/pkcs7"

	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

// Automated Device Enrollment: a device the tenant bought and assigned to this server in
// Apple Business Manager is sent, in its Setup Assistant, to the tenant's sign-in page
// (the enrolment profile's configuration_web_url, which ios/dep defines with Apple). The
// employee enters the code of a company invitation there, which binds the device to them,
// and the page answers with the signed profile of a device enrolment, which the Setup
// Assistant installs. The device is supervised and company-owned; it talks to the MDM
// endpoints with its certificate alone, since no account-driven sign-in gave it a token.

// BoughtDevices is what the platform asks of Automated Device Enrollment (ios/dep has it):
// whether the tenant assigned the device with the serial number to this server, and the
// one-time pass that binds a device's sign-in form to the serial number its signed
// device information named.
type BoughtDevices interface {
	Bought(ctx context.Context, tenantID, serial string) (bool, error)
	// IssueSetupPass returns a new pass for the serial number, good once for a short while.
	IssueSetupPass(ctx context.Context, tenantID, serial string) (string, error)
	// RedeemSetupPass returns the serial number a pass was issued for and uses it up;
	// mdm.ErrNotFound when it is unknown, used, expired or another tenant's.
	RedeemSetupPass(ctx context.Context, tenantID, pass string) (string, error)
}

// UseBoughtDevices turns on Automated Device Enrollment; without it the pages answer 404.
// The devices' signed information is believed when its signer is a device of anchors
// (Apple's device CA, or the demo's); nil anchors refuse every device.
func (p *Platform) UseBoughtDevices(b BoughtDevices, anchors *DeviceAnchors) {
	p.bought, p.deviceCAs = b, anchors
}

// maxDeviceInfo bounds the x-apple-aspen-deviceinfo header.
const maxDeviceInfo = 16 << 10

// setupPassField is the sign-in form's hidden field with the pass of the device.
const setupPassField = "setup-pass"

// machineInfo is what a device in its Setup Assistant says of itself in the
// x-apple-aspen-deviceinfo header: a plist signed by the device (CMS), in base64.
type machineInfo struct {
	Serial  string `plist:"SERIAL"`
	UDID    string `plist:"UDID"`
	Product string `plist:"PRODUCT"`
	Version string `plist:"VERSION"`
}

// parseMachineInfo reads the device information header and believes it only when its
// CMS signature over the plist is good and made with the key of a device certificate
// that one of anchors issued (Apple's device CA vouches that the key is a real device's).
func parseMachineInfo(header string, anchors *DeviceAnchors) (info machineInfo, err error) {
	defer recoverParse(&err)
	if header == "" || len(header) > maxDeviceInfo {
		return machineInfo{}, errors.New("no device information")
	}
	der, err := base64.StdEncoding.DecodeString(header)
	if err != nil {
		return machineInfo{}, fmt.Errorf("device information: %w", err)
	}
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return machineInfo{}, fmt.Errorf("device information: %w", err)
	}
	if err := verifyDeviceSignature(p7, anchors); err != nil {
		return machineInfo{}, fmt.Errorf("device information: %w", err)
	}
	if err := plist.Unmarshal(p7.Content, &info); err != nil {
		return machineInfo{}, fmt.Errorf("device information: %w", err)
	}
	if info.Serial == "" || len(info.Serial) > 64 {
		return machineInfo{}, errors.New("device information without a serial number")
	}
	return info, nil
}

// serveAutomatedForm shows the sign-in page in the Setup Assistant of a device the tenant
// bought, with a one-time pass for its serial number in the form; any other device is
// refused.
func (p *Platform) serveAutomatedForm(w http.ResponseWriter, r *http.Request) {
	way, ok := p.automatedWay(w, r)
	if !ok {
		return
	}
	info, err := parseMachineInfo(r.Header.Get("x-apple-aspen-deviceinfo"), p.deviceCAs)
	if err != nil {
		p.log.Info("device information refused", "error", err)
		p.renderSignIn(w, r, way, http.StatusForbidden, "", unproven)
		return
	}
	if !p.boughtDevice(w, r, way, info.Serial) {
		return
	}
	p.renderSetupForm(w, r, way, http.StatusOK, info.Serial, nil)
}

// renderSetupForm shows the sign-in form of a bought device with a new pass for its
// serial number.
func (p *Platform) renderSetupForm(w http.ResponseWriter, r *http.Request, way enrolmentWay, status int, serial string, prob *problem) {
	pass, err := p.bought.IssueSetupPass(r.Context(), r.PathValue("tenant"), serial)
	if err != nil {
		p.log.Error("issue the pass of a bought device's sign-in", "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	p.writeSignIn(w, r, way, status, signInForm{SetupPass: pass}, prob)
}

// serveAutomatedSignIn redeems the company invitation of the form for the bought device
// its pass names and answers with its signed enrolment profile. The pass is used up: a
// form without one, with a forged, used or expired one, is refused and nothing stored.
func (p *Platform) serveAutomatedSignIn(w http.ResponseWriter, r *http.Request) {
	way, ok := p.automatedWay(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxSignInForm)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "the sign-in was incomplete", http.StatusBadRequest)
		return
	}
	ctx, client, tenantID := r.Context(), p.cfg.ClientAddr(r), r.PathValue("tenant")
	serial, err := p.bought.RedeemSetupPass(ctx, tenantID, r.PostForm.Get(setupPassField))
	if errors.Is(err, mdm.ErrNotFound) {
		p.renderSignIn(w, r, way, http.StatusForbidden, "", passRefused)
		return
	} else if err != nil {
		p.log.Error("redeem the pass of a bought device's sign-in", "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	// The device may have left the tenant's devices in Apple Business Manager since.
	if !p.boughtDevice(w, r, way, serial) {
		return
	}
	code := r.PostForm.Get("code")
	// The invitation must be the tenant's: the page is the one its devices were sent to.
	if v, err := p.svc.Enrolment.OpenInvitation(ctx, client, code); err != nil || v.Tenant.ID != tenantID {
		if err == nil {
			err = fmt.Errorf("invitation code: %w", mdm.ErrNotFound)
		}
		p.refuseSetup(w, r, way, serial, err)
		return
	}
	started, err := p.svc.Enrolment.StartEnrolmentFrom(ctx, client, enrolment.EnrolmentRequest{Code: code, Platform: mdm.PlatformIOS,
		Ownership: mdm.OwnershipCompany})
	if err != nil {
		p.refuseSetup(w, r, way, serial, err)
		return
	}
	d := started.Device
	err = p.store.SetHardware(ctx, storage.Hardware{DeviceID: d.ID, TenantID: d.TenantID, Automated: true})
	if err == nil {
		err = p.recordIdentifiers(ctx, d, serial)
	}
	if err != nil {
		p.log.Error("record the bought device", "device", d.ID, "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	p.serveProfile(w, r, d, true)
}

// refuseSetup shows the form again with why the code was refused, and a new pass.
func (p *Platform) refuseSetup(w http.ResponseWriter, r *http.Request, way enrolmentWay, serial string, err error) {
	status, prob := signInProblem(err)
	if status == http.StatusInternalServerError {
		p.log.Error("redeem invitation code", "error", err)
	}
	p.renderSetupForm(w, r, way, status, serial, prob)
}

// automatedWay is the way of the tenant's bought devices; it answers 404 when Automated
// Device Enrollment is off.
func (p *Platform) automatedWay(w http.ResponseWriter, r *http.Request) (enrolmentWay, bool) {
	way := p.deviceEnrolment()
	way.signInURL = p.cfg.PublicURL.JoinPath(PathSignInAutomated(r.PathValue("tenant"))).String()
	if p.bought == nil {
		http.NotFound(w, r)
		return way, false
	}
	return way, true
}

// boughtDevice reports whether the serial number is among the devices the tenant of the
// path assigned to this server; it answers the refusal when not.
func (p *Platform) boughtDevice(w http.ResponseWriter, r *http.Request, way enrolmentWay, serial string) bool {
	ok, err := p.bought.Bought(r.Context(), r.PathValue("tenant"), serial)
	if err != nil {
		p.log.Error("look up a bought device", "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return false
	}
	if !ok {
		p.renderSignIn(w, r, way, http.StatusForbidden, "", notBought)
	}
	return ok
}

// unproven is why a device whose signed information is missing or not from a genuine
// device is not set up.
var unproven = &problem{
	DE: "Dieses Gerät konnte nicht nachweisen, dass es ein echtes Gerät Ihres Arbeitgebers ist. Es wurde nichts eingerichtet. Starten Sie den Einrichtungsassistenten neu oder wenden Sie sich an Ihre IT.",
	EN: "This device could not prove that it is a genuine device of your employer. Nothing was set up. Restart the Setup Assistant, or contact your IT."}

// passRefused is why a sign-in form of the Setup Assistant without a good pass is refused.
var passRefused = &problem{
	DE: "Dieses Anmeldeformular ist abgelaufen, wurde schon benutzt oder stammt nicht von diesem Gerät. Es wurde nichts eingerichtet. Gehen Sie im Einrichtungsassistenten einen Schritt zurück und öffnen Sie die Anmeldung erneut.",
	EN: "This sign-in form has expired, was used already or did not come from this device. Nothing was set up. Go back one step in the Setup Assistant and open the sign-in again."}

// notBought is why a device that is not one the tenant bought is not set up here.
var notBought = &problem{
	DE: "Dieses Gerät ist keines, das Ihr Arbeitgeber in Apple Business Manager diesem Server zugewiesen hat. Es wurde nichts eingerichtet. Wenden Sie sich an Ihre IT.",
	EN: "This device is not one your employer assigned to this server in Apple Business Manager. Nothing was set up. Please contact your IT."}

// PathSignInAutomated is the sign-in page of the tenant's bought devices, which the
// enrolment profile defined with Apple names as its configuration_web_url.
func PathSignInAutomated(tenantID string) string { return PathSignIn + "/ade/" + tenantID }

// PathEnrolAutomated is the enrolment URL the profile defined with Apple names; the
// devices get their profile from the sign-in page instead, so it refuses.
func PathEnrolAutomated(tenantID string) string { return PathEnrol + "/ade/" + tenantID }

// serveAutomatedEnrol answers a device that posts to the profile's enrolment URL without
// having signed in.
func (p *Platform) serveAutomatedEnrol(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "devices of Apple Business Manager get their enrolment profile after the sign-in on "+
		p.cfg.PublicURL.JoinPath(PathSignInAutomated(r.PathValue("tenant"))).String(), http.StatusForbidden)
}
