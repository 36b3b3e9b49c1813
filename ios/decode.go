package ios

import (
	"errors"
	"fmt"

	apple "github.com/micromdm/nanomdm/mdm"
)

// Decoding at the edge: what a phone sends is parsed once, here, into nanomdm's typed
// messages, and refused when it is not a message of a User Enrolment. Everything behind
// this point gets typed values only.

// errNotUserEnrolment refuses messages of other enrolment types: trennwand enrols private
// phones through User Enrolment only, whose messages carry an enrolment ID and never the
// phone's UDID or serial number.
var errNotUserEnrolment = errors.New("not a message of a User Enrolment")

// decodeCheckin parses a check-in message.
func decodeCheckin(body []byte) (msg any, err error) {
	defer recoverParse(&err)
	msg, err = apple.DecodeCheckin(body)
	if err != nil {
		return nil, fmt.Errorf("check-in message: %w", err)
	}
	e, serial := checkinEnrollment(msg)
	if e == nil {
		return nil, fmt.Errorf("check-in message of type %T not supported", msg)
	}
	if serial != "" {
		return nil, fmt.Errorf("check-in message with a serial number: %w", errNotUserEnrolment)
	}
	if err := checkEnrollment(e); err != nil {
		return nil, fmt.Errorf("check-in message: %w", err)
	}
	return msg, nil
}

// decodeReport parses a command report (with the request for the next command).
func decodeReport(body []byte) (report *apple.CommandResults, err error) {
	defer recoverParse(&err)
	report, err = apple.DecodeCommandResults(body)
	if err != nil {
		return nil, fmt.Errorf("command report: %w", err)
	}
	if err := checkEnrollment(&report.Enrollment); err != nil {
		return nil, fmt.Errorf("command report: %w", err)
	}
	return report, nil
}

// checkEnrollment accepts the enrolment of a User Enrolment message: an enrolment ID, no
// UDID.
func checkEnrollment(e *apple.Enrollment) error {
	if e.UDID != "" || e.UserID != "" {
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
