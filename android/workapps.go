package android

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
)

// workAppReader tells the core where a work profile's work apps stand, from its last
// status report as the device keeps it: AMAPI names each required app that is not as the
// policy wants it in nonComplianceDetails, kept as a line "SETTING: REASON (package)". A
// required app the report does not name is installed; before the first report, nothing is
// known. The versions come from the report's app list as recordWorkApps kept them, which
// also tells which of the apps the employee may install (InstallAvailable) are there.
type workAppReader struct{}

var _ mdm.WorkAppReader = workAppReader{}

// appFailures are the non-compliance reasons by which AMAPI says that an app cannot be
// installed on the phone at all; other reasons naming an app (APP_NOT_INSTALLED, PENDING)
// mean it is still to come, and APP_NOT_UPDATED that an older version is there.
var appFailures = map[string]bool{"APP_INCOMPATIBLE": true, "DEVICE_INCOMPATIBLE": true, "PROJECT_NOT_PERMITTED": true}

// WorkApps reads, inside tx, the required apps of the device's policy with their states.
func (workAppReader) WorkApps(ctx context.Context, tx mdm.Store, tenantID string, d mdm.Device) ([]mdm.WorkApp, error) {
	if d.WorkPolicyID == nil {
		return nil, nil
	}
	p, err := tx.Policies().WorkPolicy(ctx, tenantID, *d.WorkPolicyID)
	if errors.Is(err, mdm.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("android: policy of device %s: %w", d.ID, err)
	}
	t, err := store.Extend(tx)
	if err != nil {
		return nil, fmt.Errorf("android: work apps: %w", err)
	}
	var rows []workAppRow
	if err := t.DB(ctx).Where("tenant_id = ? AND device_id = ?", tenantID, d.ID).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("android: work app versions of device %s: %w", d.ID, err)
	}
	versions := make(map[string]workAppRow, len(rows))
	for _, r := range rows {
		versions[r.PackageName] = r
	}
	return workApps(d, p, versions), nil
}

// workApps is where the work apps of policy p stand on the device, with the versions kept
// of them: each required app with its state from the last report, and each app the
// employee may install that the report listed as installed.
func workApps(d mdm.Device, p mdm.WorkPolicy, versions map[string]workAppRow) []mdm.WorkApp {
	var ids []string
	for _, a := range p.Required(mdm.PlatformAndroid) {
		ids = append(ids, a.AppID)
	}
	out := appStates(d, ids)
	for i := range out {
		if r, ok := versions[out[i].AppID]; ok {
			out[i].Version = r.version()
		}
	}
	for _, a := range p.Apps {
		if r, ok := versions[a.AppID]; ok && a.Platform == mdm.PlatformAndroid && a.InstallType != mdm.InstallRequired {
			out = append(out, mdm.WorkApp{AppID: a.AppID, Version: r.version(), State: mdm.AppInstalled})
		}
	}
	return out
}

// appStates reads the states of the apps from the device's last status report.
func appStates(d mdm.Device, appIDs []string) []mdm.WorkApp {
	reported := d.State == mdm.DeviceActive &&
		(d.ReportedCompliance == mdm.ComplianceCompliant || d.ReportedCompliance == mdm.ComplianceNonCompliant)
	state := make(map[string]mdm.WorkAppState, len(appIDs))
	for _, id := range appIDs {
		state[id] = mdm.AppNotReported
		if reported {
			state[id] = mdm.AppInstalled
		}
	}
	problem := map[string]string{}
	if reported {
		for _, line := range strings.Split(d.NonCompliance, "\n") {
			rest, pkg, ok := strings.Cut(strings.TrimSuffix(line, ")"), " (")
			if _, wanted := state[pkg]; !ok || !wanted {
				continue
			}
			_, reason, _ := strings.Cut(rest, ": ")
			switch {
			case appFailures[reason]:
				state[pkg], problem[pkg] = mdm.AppFailed, reason
			case reason != "APP_NOT_UPDATED":
				state[pkg] = mdm.AppPending
			}
		}
	}
	out := make([]mdm.WorkApp, len(appIDs))
	for i, id := range appIDs {
		out[i] = mdm.WorkApp{AppID: id, State: state[id], Problem: problem[id]}
	}
	return out
}
