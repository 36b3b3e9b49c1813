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
// whether the tenant assigned the device with the serial number to this server.
type BoughtDevices interface {
	Bought(ctx context.Context, tenantID, serial string) (bool, error)
}

// UseBoughtDevices turns on Automated Device Enrollment; without it the pages answer 404.
func (p *Platform) UseBoughtDevices(b BoughtDevices) { p.bought = b }

// maxDeviceInfo bounds the x-apple-aspen-deviceinfo header.
const maxDeviceInfo = 16 << 10

// machineInfo is what a device in its Setup Assistant says of itself in the
// x-apple-aspen-deviceinfo header: a plist signed by the device (CMS), in base64.
type machineInfo struct {
	Serial  string `plist:"SERIAL"`
	UDID    string `plist:"UDID"`
	Product string `plist:"PRODUCT"`
	Version string `plist:"VERSION"`
}

// parseMachineInfo reads the device information header. Its signature is by the device's
// key, which only Apple's device CA vouches for; trennwand does not trust it for more than
// the serial number it looks up among the devices the tenant bought.
func parseMachineInfo(header string) (info machineInfo, err error) {
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
	if err := plist.Unmarshal(p7.Content, &info); err != nil {
		return machineInfo{}, fmt.Errorf("device information: %w", err)
	}
	if info.Serial == "" || len(info.Serial) > 64 {
		return machineInfo{}, errors.New("device information without a serial number")
	}
	return info, nil
}

// serveAutomatedForm shows the sign-in page in the Setup Assistant of a device the tenant
// bought; any other device is refused.
func (p *Platform) serveAutomatedForm(w http.ResponseWriter, r *http.Request) {
	way, info, ok := p.automatedDevice(w, r, r.Header.Get("x-apple-aspen-deviceinfo"), "")
	if !ok {
		return
	}
	p.renderSignIn(w, r, way, http.StatusOK, info.Serial, nil)
}

// serveAutomatedSignIn redeems the company invitation of the form for the bought device
// and answers with its signed enrolment profile.
func (p *Platform) serveAutomatedSignIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSignInForm)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "the sign-in was incomplete", http.StatusBadRequest)
		return
	}
	// The form carries the serial number of the header it was shown with (in the field
	// that carries the account on the other sign-in pages), which is looked up again.
	way, info, ok := p.automatedDevice(w, r, r.Header.Get("x-apple-aspen-deviceinfo"), r.PostForm.Get("user-identifier"))
	if !ok {
		return
	}
	ctx, client, tenantID := r.Context(), p.cfg.ClientAddr(r), r.PathValue("tenant")
	code := r.PostForm.Get("code")
	// The invitation must be the tenant's: the page is the one its devices were sent to.
	if v, err := p.svc.Enrolment.OpenInvitation(ctx, client, code); err != nil || v.Tenant.ID != tenantID {
		if err == nil {
			err = fmt.Errorf("invitation code: %w", mdm.ErrNotFound)
		}
		p.answerSignIn(w, r, way, info.Serial, enrolment.StartedEnrolment{}, err)
		return
	}
	started, err := p.svc.Enrolment.StartEnrolmentFrom(ctx, client, enrolment.EnrolmentRequest{Code: code, Platform: mdm.PlatformIOS,
		Ownership: mdm.OwnershipCompany})
	if err != nil {
		p.answerSignIn(w, r, way, info.Serial, started, err)
		return
	}
	d := started.Device
	err = p.store.SetHardware(ctx, storage.Hardware{DeviceID: d.ID, TenantID: d.TenantID, Automated: true})
	if err == nil {
		err = p.recordIdentifiers(ctx, d, info.Serial)
	}
	if err != nil {
		p.log.Error("record the bought device", "device", d.ID, "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	p.serveProfile(w, r, d, true)
}

// automatedDevice finds the bought device a request comes from, by the serial number of
// its device information header (or, without one, the serial number the form carried),
// among the devices the tenant of the path assigned to this server; it answers the
// refusal and returns false for any other.
func (p *Platform) automatedDevice(w http.ResponseWriter, r *http.Request, header, formSerial string) (enrolmentWay, machineInfo, bool) {
	way := p.deviceEnrolment()
	way.signInURL = p.cfg.PublicURL.JoinPath(PathSignInAutomated(r.PathValue("tenant"))).String()
	if p.bought == nil {
		http.NotFound(w, r)
		return way, machineInfo{}, false
	}
	info, err := parseMachineInfo(header)
	if header == "" && formSerial != "" && len(formSerial) <= 64 {
		info, err = machineInfo{Serial: formSerial}, nil
	}
	if err != nil {
		p.renderSignIn(w, r, way, http.StatusBadRequest, "", notBought)
		return way, machineInfo{}, false
	}
	ok, err := p.bought.Bought(r.Context(), r.PathValue("tenant"), info.Serial)
	if err != nil {
		p.log.Error("look up a bought device", "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return way, machineInfo{}, false
	}
	if !ok {
		p.renderSignIn(w, r, way, http.StatusForbidden, "", notBought)
		return way, machineInfo{}, false
	}
	return way, info, true
}

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
