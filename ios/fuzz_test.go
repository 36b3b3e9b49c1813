package ios

import (
	"testing"

	apple "github.com/micromdm/nanomdm/mdm"
	"github.com/micromdm/plist"
)

// FuzzDecodeCheckin feeds arbitrary bodies to the edge decoders of the MDM endpoints. They
// must never panic; what they accept for the employee's own phone must be a User
// Enrolment's message (an enrolment ID, no UDID, no serial number), and what they accept
// for a company-owned one must name its device channel.
func FuzzDecodeCheckin(f *testing.F) {
	enrol := apple.Enrollment{EnrollmentID: "0A1B2C3D4E5F"}
	for _, msg := range []any{
		&apple.Authenticate{Enrollment: enrol, MessageType: apple.MessageType{MessageType: "Authenticate"}, Topic: "com.apple.mgmt.x"},
		&apple.TokenUpdate{Enrollment: enrol, MessageType: apple.MessageType{MessageType: "TokenUpdate"},
			Push: apple.Push{Topic: "com.apple.mgmt.x", PushMagic: "magic", Token: []byte{1, 2, 3}}},
		&apple.CheckOut{Enrollment: enrol, MessageType: apple.MessageType{MessageType: "CheckOut"}},
		&apple.CommandResults{Enrollment: enrol, Status: "Acknowledged", CommandUUID: "C1"},
		&apple.Authenticate{Enrollment: apple.Enrollment{UDID: "UDID"}, MessageType: apple.MessageType{MessageType: "Authenticate"},
			SerialNumber: "F2LXK0QWHG7F"},
		&apple.CommandResults{Enrollment: apple.Enrollment{UDID: "UDID"}, Status: "Acknowledged", CommandUUID: "C2"},
	} {
		b, err := plist.Marshal(msg)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("bplist00\xd1\x01\x02"))
	f.Add([]byte(`<?xml version="1.0"?><plist><dict><key>MessageType</key><string>GetToken</string></dict></plist>`))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, body []byte) {
		if msg, err := decodeCheckin(body, userEnrolment); err == nil {
			e, serial := checkinEnrollment(msg)
			if e == nil || e.UDID != "" || serial != "" || e.Resolved() == nil {
				t.Errorf("accepted a check-in without a User Enrolment's ID: %+v", msg)
			}
		}
		if report, err := decodeReport(body, userEnrolment); err == nil {
			if report.UDID != "" || report.Resolved() == nil || report.Status == "" {
				t.Errorf("accepted a report without a User Enrolment's ID or status: %+v", report)
			}
		}
		if msg, err := decodeCheckin(body, deviceEnrolment); err == nil {
			if e, _ := checkinEnrollment(msg); e == nil || e.UserID != "" || e.Resolved() == nil {
				t.Errorf("accepted a check-in without a device channel: %+v", msg)
			}
		}
		if report, err := decodeReport(body, deviceEnrolment); err == nil {
			if report.UserID != "" || report.Resolved() == nil || report.Status == "" {
				t.Errorf("accepted a report without a device channel or status: %+v", report)
			}
		}
	})
}
