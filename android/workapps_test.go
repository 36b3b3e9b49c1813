package android_test

import (
	"context"
	"maps"
	"testing"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/mdm"
)

// The work apps of a work profile are read from its last status report: an app AMAPI
// names as not installed is still to come, one it names as incompatible has failed, and
// one it does not name is installed; before the first report, none is known.
func TestTheWorkAppsAreReadFromTheStatusReport(t *testing.T) {
	apps := []string{"com.example.mail", "com.example.files", "com.example.chat"}
	cases := []struct {
		name string
		d    mdm.Device
		want map[string]mdm.WorkAppState
	}{
		{"not reported yet", mdm.Device{State: mdm.DeviceActive, ReportedCompliance: mdm.ComplianceUnknown},
			map[string]mdm.WorkAppState{"com.example.mail": mdm.WorkAppPending, "com.example.files": mdm.WorkAppPending, "com.example.chat": mdm.WorkAppPending}},
		{"still enrolling", mdm.Device{State: mdm.DeviceEnrolling, ReportedCompliance: mdm.ComplianceCompliant},
			map[string]mdm.WorkAppState{"com.example.mail": mdm.WorkAppPending, "com.example.files": mdm.WorkAppPending, "com.example.chat": mdm.WorkAppPending}},
		{"all there", mdm.Device{State: mdm.DeviceActive, ReportedCompliance: mdm.ComplianceCompliant},
			map[string]mdm.WorkAppState{"com.example.mail": mdm.WorkAppInstalled, "com.example.files": mdm.WorkAppInstalled, "com.example.chat": mdm.WorkAppInstalled}},
		{"one coming, one failed, one old", mdm.Device{State: mdm.DeviceActive, ReportedCompliance: mdm.ComplianceNonCompliant,
			NonCompliance: "applications: APP_NOT_INSTALLED (com.example.mail)\napplications: APP_INCOMPATIBLE (com.example.files)\n" +
				"applications: APP_NOT_UPDATED (com.example.chat)\npasswordPolicies: INSUFFICIENT_PASSWORD\napplications: APP_NOT_INSTALLED (com.other.app)"},
			map[string]mdm.WorkAppState{"com.example.mail": mdm.WorkAppPending, "com.example.files": mdm.WorkAppFailed, "com.example.chat": mdm.WorkAppInstalled}},
	}
	report := android.Registration().WorkApps
	for _, c := range cases {
		got, err := report.WorkAppStates(context.Background(), nil, c.d, apps)
		if err != nil || !maps.Equal(got, c.want) {
			t.Errorf("%s: %v (%v), want %v", c.name, got, err, c.want)
		}
	}
}
