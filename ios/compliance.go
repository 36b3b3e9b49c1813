package ios

import (
	"context"
	"fmt"
	"strings"

	"github.com/micromdm/plist"

	"github.com/trennwand/trennwand/ios/ddm"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/compliance"
)

// What a User Enrolment can tell the compliance rules, and what it cannot:
//
//   - the OS version: the Authenticate check-in carries OSVersion, and a DeviceInformation
//     query may ask for it again;
//   - the passcode: a SecurityInfo answer carries PasscodeCompliant (whether the passcode
//     meets every requirement on the phone); PasscodePresent and
//     PasscodeCompliantWithProfiles are not available to a User Enrolment;
//   - the device's integrity: nothing. Apple gives a User Enrolment no query that tells
//     whether an iPhone is jailbroken, so the integrity rule stays unknown on iPhones and
//     iPads, and says so.

// reportedFacts is what the compliance rules use of one message of the phone.
type reportedFacts struct {
	OSVersion string // empty when the message did not carry a valid one
	Facts     compliance.Facts
}

// wireFacts is the part of a check-in or command answer the compliance rules read; every
// other key is never decoded.
type wireFacts struct {
	OSVersion      string
	QueryResponses *struct {
		OSVersion string
	}
	SecurityInfo *struct {
		PasscodeCompliant *bool
	}
}

// decodeFacts reads the OS version and the passcode state from a check-in message or a
// command answer (plist). A message without them, or one that is not a plist, gives
// nothing: the facts stay as they were.
func decodeFacts(raw []byte) (r reportedFacts, err error) {
	defer recoverParse(&err)
	var w wireFacts
	if err := plist.Unmarshal(raw, &w); err != nil {
		return r, fmt.Errorf("read compliance facts: %w", err)
	}
	version := w.OSVersion
	if w.QueryResponses != nil && w.QueryResponses.OSVersion != "" {
		version = w.QueryResponses.OSVersion
	}
	if version = strings.TrimSpace(version); ddm.IsOSVersion(version) {
		r.OSVersion = version
	}
	if w.SecurityInfo != nil && w.SecurityInfo.PasscodeCompliant != nil {
		r.Facts.Passcode = compliance.FindingFailed
		if *w.SecurityInfo.PasscodeCompliant {
			r.Facts.Passcode = compliance.FindingMet
		}
	}
	return r, nil
}

// reportCompliance takes the facts of a message of the device into the domain, in one
// transaction: a new OS version into its status, and its compliance with the work
// policy's rules. A message that tells nothing changes nothing. A version with
// declarative management then moves an enrolled phone to it (binding.declarative).
func (b *binding) reportCompliance(ctx context.Context, d mdm.Device, raw []byte) error {
	r, err := decodeFacts(raw)
	if err != nil || (r.OSVersion == "" && r.Facts.Passcode == "") {
		// A message the compliance rules cannot read is no error of the protocol: nanomdm
		// has accepted it, and it simply tells them nothing.
		return nil
	}
	var st *compliance.DeviceStatus
	if r.OSVersion != "" && r.OSVersion != d.OSVersion {
		status := compliance.WithOSVersion(d, r.OSVersion)
		st = &status
	}
	if err := b.svc.Compliance.ReportDevice(ctx, d.TenantID, d.ID, st, r.Facts); err != nil {
		return fmt.Errorf("report of device %s: %w", d.ID, err)
	}
	// An enrolled phone that tells it runs an OS with declarative management moves to it;
	// an enrolling one does when its enrolment completes.
	if d.State == mdm.DeviceActive && ddm.Capable(r.OSVersion) && b.declarative != nil {
		if err := b.declarative(ctx, d); err != nil {
			return fmt.Errorf("declarative management of device %s: %w", d.ID, err)
		}
	}
	return nil
}
