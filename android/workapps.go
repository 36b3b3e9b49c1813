package android

import (
	"context"
	"strings"

	"github.com/trennwand/trennwand/mdm"
)

// workAppsReport tells the core which work apps a work profile has, from its last status
// report as the device keeps it: AMAPI names each required app that is not as the policy
// wants it in nonComplianceDetails, kept as a line "SETTING: REASON (package)". An app
// the report does not name is installed; before the first report, none is known.
type workAppsReport struct{}

var _ mdm.WorkAppsReport = workAppsReport{}

// appFailures are the non-compliance reasons by which AMAPI says that an app cannot be
// installed on the phone at all; other reasons naming an app (APP_NOT_INSTALLED, PENDING)
// mean it is still to come, and APP_NOT_UPDATED that an older version is there.
var appFailures = map[string]bool{"APP_INCOMPATIBLE": true, "DEVICE_INCOMPATIBLE": true, "PROJECT_NOT_PERMITTED": true}

// WorkAppStates reads the states of the apps from the device's last status report.
func (workAppsReport) WorkAppStates(_ context.Context, _ mdm.Store, d mdm.Device, appIDs []string) (map[string]mdm.WorkAppState, error) {
	out := make(map[string]mdm.WorkAppState, len(appIDs))
	reported := d.State == mdm.DeviceActive &&
		(d.ReportedCompliance == mdm.ComplianceCompliant || d.ReportedCompliance == mdm.ComplianceNonCompliant)
	for _, id := range appIDs {
		out[id] = mdm.WorkAppPending
		if reported {
			out[id] = mdm.WorkAppInstalled
		}
	}
	if !reported {
		return out, nil
	}
	for _, line := range strings.Split(d.NonCompliance, "\n") {
		rest, pkg, ok := strings.Cut(strings.TrimSuffix(line, ")"), " (")
		if _, wanted := out[pkg]; !ok || !wanted {
			continue
		}
		_, reason, _ := strings.Cut(rest, ": ")
		switch {
		case appFailures[reason]:
			out[pkg] = mdm.WorkAppFailed
		case reason != "APP_NOT_UPDATED":
			out[pkg] = mdm.WorkAppPending
		}
	}
	return out, nil
}
