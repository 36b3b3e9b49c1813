package android_test

import (
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
	policy := mdm.WorkPolicy{ID: mdm.NewID()}
	for _, a := range apps {
		policy.Apps = append(policy.Apps, mdm.AppAssignment{Platform: mdm.PlatformAndroid, AppID: a, InstallType: mdm.InstallRequired})
	}
	cases := []struct {
		name string
		d    mdm.Device
		want map[string]mdm.WorkAppState
	}{
		{"not reported yet", mdm.Device{State: mdm.DeviceActive, ReportedCompliance: mdm.ComplianceUnknown},
			map[string]mdm.WorkAppState{"com.example.mail": mdm.AppNotReported, "com.example.files": mdm.AppNotReported, "com.example.chat": mdm.AppNotReported}},
		{"still enrolling", mdm.Device{State: mdm.DeviceEnrolling, ReportedCompliance: mdm.ComplianceCompliant},
			map[string]mdm.WorkAppState{"com.example.mail": mdm.AppNotReported, "com.example.files": mdm.AppNotReported, "com.example.chat": mdm.AppNotReported}},
		{"all there", mdm.Device{State: mdm.DeviceActive, ReportedCompliance: mdm.ComplianceCompliant},
			map[string]mdm.WorkAppState{"com.example.mail": mdm.AppInstalled, "com.example.files": mdm.AppInstalled, "com.example.chat": mdm.AppInstalled}},
		{"one coming, one failed, one old", mdm.Device{State: mdm.DeviceActive, ReportedCompliance: mdm.ComplianceNonCompliant,
			NonCompliance: "applications: APP_NOT_INSTALLED (com.example.mail)\napplications: APP_INCOMPATIBLE (com.example.files)\n" +
				"applications: APP_NOT_UPDATED (com.example.chat)\npasswordPolicies: INSUFFICIENT_PASSWORD\napplications: APP_NOT_INSTALLED (com.other.app)"},
			map[string]mdm.WorkAppState{"com.example.mail": mdm.AppPending, "com.example.files": mdm.AppFailed, "com.example.chat": mdm.AppInstalled}},
	}
	for _, c := range cases {
		c.d.TenantID, c.d.WorkPolicyID = "t", &policy.ID
		got := map[string]mdm.WorkAppState{}
		for _, r := range android.WorkAppsUnder(c.d, policy) {
			got[r.AppID] = r.State
		}
		if !maps.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
