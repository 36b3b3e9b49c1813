package android_test

import (
	"testing"

	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/android/amapifake"
)

// DecodePush takes any body without panicking, and what it accepts is a checked
// notification.
func FuzzDecodePush(f *testing.F) {
	for _, seed := range []struct {
		kind     string
		resource any
	}{
		{"ENROLLMENT", amapi.Device{Name: "enterprises/LC1/devices/3A", EnrollmentTokenData: "dev1", PolicyCompliant: true}},
		{"STATUS_REPORT", amapi.Device{Name: "enterprises/LC1/devices/3A", SoftwareInfo: &amapi.SoftwareInfo{AndroidVersion: "15"},
			NonComplianceDetails: []*amapi.NonComplianceDetail{{SettingName: "passwordPolicies", NonComplianceReason: "USER_ACTION"}}}},
		{"COMMAND", amapi.Operation{Name: "enterprises/LC1/devices/3A/operations/9", Done: true, Error: &amapi.Status{Message: "x"}}},
	} {
		body, err := amapifake.PushEnvelope("1", seed.kind, seed.resource)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
	}
	f.Add([]byte(`{"message":{"messageId":"1","data":"%%","attributes":{"notificationType":"ENROLLMENT"}}}`))
	f.Add([]byte(`{"message":null}`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := android.DecodePush(body)
		if err != nil {
			return
		}
		if n.MessageID == "" {
			t.Fatal("accepted a message without ID")
		}
		switch n.Type {
		case android.NotificationEnrollment, android.NotificationStatusReport:
			if n.Device == nil || n.Device.Name == "" {
				t.Fatal("accepted a device notification without a device")
			}
		case android.NotificationCommand:
			if n.Operation == nil || n.Operation.Name == "" {
				t.Fatal("accepted a command notification without an operation")
			}
		}
	})
}
