package phonesim

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	apple "github.com/micromdm/nanomdm/mdm"
)

// hardware is what a company-owned phone tells of itself: a device enrolment speaks for
// its device channel by UDID and answers the employer's hardware queries. A phone of the
// employee's own has none of it (User Enrolment tells the server neither).
type hardware struct {
	udid, serial, model, modelName string
	capacityGB                     float64
	// supervised is set for a phone that Automated Device Enrollment set up; only a
	// supervised phone takes lost mode.
	supervised bool
}

// newHardware makes up the hardware of a company-owned iPhone.
func newHardware(supervised bool) hardware {
	return hardware{udid: strings.ToUpper(randomHex(20)), serial: strings.ToUpper(randomHex(6)),
		model: "MTP03ZD/A", modelName: "iPhone", capacityGB: 119.2, supervised: supervised}
}

// company reports whether the phone is company-owned.
func (p *Phone) company() bool { return p.cfg.Company || p.cfg.SetupURL != "" }

// enrollmentMode is the EnrollmentMode of the profile the phone installs: BYOD for User
// Enrolment, ADDE for account-driven Device Enrollment, none for Automated Device
// Enrollment.
func (p *Phone) enrollmentMode() string {
	switch {
	case p.cfg.SetupURL != "":
		return ""
	case p.company():
		return "ADDE"
	}
	return "BYOD"
}

// enrolAutomated is what a bought phone does in its Setup Assistant: it opens the sign-in
// page of the profile Apple handed it, with its signed device information in the
// x-apple-aspen-deviceinfo header, the employee enters the invitation code, and the page
// answers with the enrolment profile, which the phone installs.
func (p *Phone) enrolAutomated(ctx context.Context, code string) error {
	info, err := p.deviceInfo()
	if err != nil {
		return err
	}
	header := http.Header{}
	header.Set("x-apple-aspen-deviceinfo", base64.StdEncoding.EncodeToString(info))
	page, _, err := p.send(ctx, http.MethodGet, p.cfg.SetupURL, header, nil, http.StatusOK)
	if err != nil {
		return fmt.Errorf("the sign-in page of the Setup Assistant: %w", err)
	}
	m := setupPass.FindSubmatch(page)
	if m == nil {
		return errors.New("the sign-in page of the Setup Assistant has no pass in its form")
	}
	// The form goes back with the pass it came with, as the page's browser sends it.
	form := url.Values{"code": {code}, "setup-pass": {string(m[1])}}
	header.Set("Content-Type", "application/x-www-form-urlencoded")
	body, resp, err := p.send(ctx, http.MethodPost, p.cfg.SetupURL, header, []byte(form.Encode()), http.StatusOK)
	if err != nil {
		return fmt.Errorf("the sign-in of the Setup Assistant: %w", err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-apple-aspen-config" {
		return fmt.Errorf("the sign-in of the Setup Assistant answered %q, not a profile", ct)
	}
	return p.install(ctx, body)
}

// setupPass finds the pass in the form of the Setup Assistant's sign-in page.
var setupPass = regexp.MustCompile(`name="setup-pass" value="([^"]+)"`)

// enrollment names the phone's enrolment in its MDM messages: a company-owned phone's
// device channel by its UDID, a User Enrolment by its enrolment ID.
func (p *Phone) enrollment() apple.Enrollment {
	if p.company() {
		return apple.Enrollment{UDID: p.hw.udid}
	}
	return apple.Enrollment{EnrollmentID: p.enrollmentID}
}

// discoveryVersion is the Version of the discovery entry the phone enrols with: account-
// driven Device Enrollment for a company-owned phone, User Enrolment for one of the
// employee's own.
func (p *Phone) discoveryVersion() string {
	if p.company() {
		return "mdm-adde"
	}
	return "mdm-byod"
}

// hardwareAnswers are a company-owned phone's answers to the DeviceInformation queries it
// was asked; a phone of the employee's own answers only its OS version, when it reports one.
func (p *Phone) hardwareAnswers(queries []string) map[string]any {
	known := map[string]any{}
	if p.cfg.OSVersion != "" {
		known["OSVersion"] = p.cfg.OSVersion
	}
	if p.company() {
		known["SerialNumber"], known["Model"], known["ModelName"], known["DeviceCapacity"] =
			p.hw.serial, p.hw.model, p.hw.modelName, p.hw.capacityGB
	}
	out := map[string]any{}
	for _, q := range queries {
		if v, ok := known[q]; ok {
			out[q] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// LostScreen is what a phone in lost mode shows on its lock screen.
type LostScreen struct {
	Message, PhoneNumber, Footnote string
}

// wholeDevice carries out a command on the whole phone and returns its status: a
// company-owned phone locks and erases itself when told (an erased phone says no more),
// and takes lost mode only when supervised and, as Apple's phones do, only with a message
// or a phone number to show (screen); a phone of the employee's own refuses them all, as
// User Enrolment does.
func (p *Phone) wholeDevice(requestType string, screen LostScreen) (status string, handled bool) {
	switch requestType {
	case "DeviceLock", "EraseDevice", "EnableLostMode", "DisableLostMode":
	default:
		return "", false
	}
	p.received = append(p.received, requestType)
	if !p.company() {
		return "Error", true
	}
	switch requestType {
	case "DeviceLock":
		p.locked, p.lockScreen = true, LostScreen{Message: screen.Message, PhoneNumber: screen.PhoneNumber}
	case "EraseDevice":
		p.erased = true
	case "EnableLostMode":
		if !p.hw.supervised || (screen.Message == "" && screen.PhoneNumber == "") {
			return "Error", true
		}
		p.lost, p.lostScreen = true, screen
	case "DisableLostMode":
		if !p.hw.supervised {
			return "Error", true
		}
		p.lost, p.lostScreen = false, LostScreen{}
	}
	return "Acknowledged", true
}

// SerialNumber is the serial number of a company-owned phone; "" for one of the
// employee's own, which never tells it.
func (p *Phone) SerialNumber() string { return p.hw.serial }

// UDID is the UDID of a company-owned phone; "" for one of the employee's own.
func (p *Phone) UDID() string { return p.hw.udid }

// State says what commands on the whole phone did to it: whether it is locked, erased or
// in lost mode, and which of them it received (a phone of the employee's own refuses
// them, but a test wants to know that none ever reached it).
func (p *Phone) State() (locked, erased, lost bool, received []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.locked, p.erased, p.lost, append([]string(nil), p.received...)
}

// LostScreen is what the phone's lock screen shows while it is in lost mode; empty when
// it is not.
func (p *Phone) LostScreen() LostScreen {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lostScreen
}

// LockScreen is what the phone's lock screen shows since a DeviceLock: its message and
// phone number (a lock has no footnote); empty when it was never locked or the lock set
// neither.
func (p *Phone) LockScreen() LostScreen {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lockScreen
}

// errErased ends the work of a phone that has erased itself.
var errErased = fmt.Errorf("the phone has erased itself")
