package ios

import (
	"errors"
	"fmt"

	apple "github.com/micromdm/nanomdm/mdm"

	"github.com/trennwand/trennwand/mdm"
)

// Decoding at the edge: what a phone sends is parsed once, here, into nanomdm's typed
// messages, and refused when it is not a message of the phone's kind of enrolment. The
// employee's own phone enrols through User Enrolment, whose messages carry an enrolment ID
// and never the phone's UDID or serial number; only a company-owned phone, enrolled by a
// device enrolment, speaks for its device channel by UDID and tells its serial number.
// Everything behind this point gets typed values only.

// errNotUserEnrolment refuses messages of other enrolment types on a private phone.
var errNotUserEnrolment = errors.New("not a message of a User Enrolment")

// enrolmentKind is what the edge accepts from a phone: the messages of a User Enrolment
// (the employee's own phone) or of a device enrolment (a company-owned one).
type enrolmentKind bool

const (
	userEnrolment   enrolmentKind = false
	deviceEnrolment enrolmentKind = true
)

// kindOf is the kind of enrolment of a device; it follows the device's ownership, which
// comes from its invitation, never from what the phone sends.
func kindOf(d mdm.Device) enrolmentKind { return enrolmentKind(companyOwned(d)) }

// decodeCheckin parses a check-in message of an enrolment of the kind.
func decodeCheckin(body []byte, kind enrolmentKind) (msg any, err error) {
	defer recoverParse(&err)
	msg, err = apple.DecodeCheckin(body)
	if err != nil {
		return nil, fmt.Errorf("check-in message: %w", err)
	}
	e, serial := checkinEnrollment(msg)
	if e == nil {
		return nil, fmt.Errorf("check-in message of type %T not supported", msg)
	}
	if serial != "" && kind == userEnrolment {
		return nil, fmt.Errorf("check-in message with a serial number: %w", errNotUserEnrolment)
	}
	if err := checkEnrollment(e, kind); err != nil {
		return nil, fmt.Errorf("check-in message: %w", err)
	}
	return msg, nil
}

// decodeReport parses a command report (with the request for the next command) of an
// enrolment of the kind.
func decodeReport(body []byte, kind enrolmentKind) (report *apple.CommandResults, err error) {
	defer recoverParse(&err)
	report, err = apple.DecodeCommandResults(body)
	if err != nil {
		return nil, fmt.Errorf("command report: %w", err)
	}
	if err := checkEnrollment(&report.Enrollment, kind); err != nil {
		return nil, fmt.Errorf("command report: %w", err)
	}
	return report, nil
}

// checkEnrollment accepts the enrolment of a message of the kind: a User Enrolment's
// enrolment ID and no UDID; a device enrolment's UDID (or enrolment ID). A macOS user
// channel (UserID) is never accepted.
func checkEnrollment(e *apple.Enrollment, kind enrolmentKind) error {
	if e.UserID != "" || (e.UDID != "" && kind == userEnrolment) {
		return errNotUserEnrolment
	}
	r := e.Resolved()
	if r == nil || r.Validate() != nil {
		return fmt.Errorf("no enrolment ID: %w", errNotUserEnrolment)
	}
	return nil
}

// checkinEnrollment returns the enrolment of a check-in message and the serial number it
// carries, if any.
func checkinEnrollment(msg any) (*apple.Enrollment, string) {
	switch m := msg.(type) {
	case *apple.Authenticate:
		return &m.Enrollment, m.SerialNumber
	case *apple.TokenUpdate:
		return &m.Enrollment, ""
	case *apple.CheckOut:
		return &m.Enrollment, ""
	case *apple.UserAuthenticate:
		return &m.Enrollment, ""
	case *apple.SetBootstrapToken:
		return &m.Enrollment, ""
	case *apple.GetBootstrapToken:
		return &m.Enrollment, ""
	case *apple.DeclarativeManagement:
		return &m.Enrollment, ""
	case *apple.GetToken:
		return &m.Enrollment, ""
	}
	return nil, ""
}

// recoverParse turns a panic of the plist decoder into a parse error: input from outside
// must never take the server down.
func recoverParse(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("malformed plist: %v", r)
	}
}
