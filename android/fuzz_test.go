package android_test

import (
	"regexp"
	"slices"
	"testing"
	"unicode/utf8"

	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/android/amapifake"
	"github.com/trennwand/trennwand/mdm"
)

// DecodePush takes any body without panicking, and what it accepts is a checked
// notification: a device's apps, if any, are installed apps with well-formed package
// names, each once, within the bounds of their number and version name.
func FuzzDecodePush(f *testing.F) {
	for _, seed := range []struct {
		kind     string
		resource any
	}{
		{"ENROLLMENT", amapi.Device{Name: "enterprises/LC1/devices/3A", EnrollmentTokenData: "dev1", PolicyCompliant: true}},
		{"STATUS_REPORT", amapi.Device{Name: "enterprises/LC1/devices/3A", SoftwareInfo: &amapi.SoftwareInfo{AndroidVersion: "15"},
			NonComplianceDetails: []*amapi.NonComplianceDetail{{SettingName: "passwordPolicies", NonComplianceReason: "USER_ACTION"}}}},
		{"STATUS_REPORT", amapi.Device{Name: "enterprises/LC1/devices/3A", ApplicationReports: []*amapi.ApplicationReport{
			{PackageName: "de.musterstadt.mail", VersionName: "2.4.1", VersionCode: 241, State: "INSTALLED"},
			{PackageName: "de.musterstadt.mail", VersionName: "2.4.2", VersionCode: 242, State: "INSTALLED"},
			{PackageName: "not a package", VersionName: "1", State: "INSTALLED"},
			{PackageName: "com.example.gone", VersionName: "1", State: "REMOVED"}}}},
		{"ENROLLMENT", amapi.Device{Name: "enterprises/LC1/devices/3B", EnrollmentTokenData: "dev2", Ownership: "COMPANY_OWNED",
			ManagementMode: "PROFILE_OWNER", HardwareInfo: &amapi.HardwareInfo{SerialNumber: "R5CX0815"}, NetworkInfo: &amapi.NetworkInfo{Imei: "356938035643809"}}},
		{"STATUS_REPORT", amapi.Device{Name: "enterprises/LC1/devices/3B", Ownership: "OWNERSHIP_UNSPECIFIED",
			HardwareInfo: &amapi.HardwareInfo{SerialNumber: "<serial>"}, NetworkInfo: &amapi.NetworkInfo{Imei: "35 69"}}},
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
			checkApps(t, n.Device.Apps)
			if n.Device.Hardware.Check() != nil || !slices.Contains([]mdm.Ownership{"", mdm.OwnershipPersonal, mdm.OwnershipCompany}, n.Device.Ownership) {
				t.Fatalf("accepted the ownership %q and the hardware identifiers %+v", n.Device.Ownership, n.Device.Hardware)
			}
		case android.NotificationCommand:
			if n.Operation == nil || n.Operation.Name == "" {
				t.Fatal("accepted a command notification without an operation")
			}
		}
	})
}

// checkApps fails the test for a reported app the decoding should have left out.
func checkApps(t *testing.T, apps []android.ReportedApp) {
	t.Helper()
	if len(apps) > 1000 {
		t.Fatalf("kept %d apps of one report", len(apps))
	}
	seen := map[string]bool{}
	for _, a := range apps {
		if seen[a.Package] || !packageName.MatchString(a.Package) || len(a.Package) > 200 || len(a.VersionName) > 100 ||
			!utf8.ValidString(a.VersionName) || a.VersionCode < 0 {
			t.Fatalf("kept the app %+v", a)
		}
		seen[a.Package] = true
	}
}

var packageName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$`)
