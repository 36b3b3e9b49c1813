package storage

import (
	"context"
	"fmt"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
)

// WorkAppsReport tells the core which work apps an iPhone has, from the rows the platform
// keeps of each app it put on the enrolment: installed once the phone acknowledged the
// installation or listed the app as managed, failed when it refused or the licence could
// not be had.
type WorkAppsReport struct{}

var _ mdm.WorkAppsReport = WorkAppsReport{}

// WorkAppStates reads the states of the apps on the device d, inside tx.
func (WorkAppsReport) WorkAppStates(ctx context.Context, tx mdm.Store, d mdm.Device, appIDs []string) (map[string]mdm.WorkAppState, error) {
	t, err := store.Extend(tx)
	if err != nil {
		return nil, fmt.Errorf("ios: work apps: %w", err)
	}
	var rows []WorkApp
	err = t.DB(ctx).Where("tenant_id = ? AND device_id = ? AND bundle_id IN ?", d.TenantID, d.ID, appIDs).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("ios: read work apps of device %s: %w", d.ID, err)
	}
	out := make(map[string]mdm.WorkAppState, len(appIDs))
	for _, id := range appIDs {
		out[id] = mdm.WorkAppPending
	}
	for _, r := range rows {
		switch r.State {
		case AppInstalled:
			out[r.BundleID] = mdm.WorkAppInstalled
		case AppFailed:
			out[r.BundleID] = mdm.WorkAppFailed
		}
	}
	return out, nil
}
