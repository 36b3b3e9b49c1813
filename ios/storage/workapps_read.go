package storage

import (
	"context"
	"fmt"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
)

// WorkAppReader reads the work apps kept for an iPhone's enrolment for the device page:
// the apps trennwand put there and what the phone's ManagedApplicationList said of them.
// The list holds managed apps only, and the rows only the apps trennwand tracks; a version
// is known where the phone reports its managed apps declaratively (iOS 17.2 or later).
type WorkAppReader struct{}

var _ mdm.WorkAppReader = WorkAppReader{}

// appStates maps the states of the rows to the domain's.
var appStates = map[string]mdm.WorkAppState{
	AppQueued: mdm.AppPending, AppInstalled: mdm.AppInstalled, AppFailed: mdm.AppFailed, AppRemoving: mdm.AppRemoving,
}

// WorkApps returns the tenant's device's work apps, by bundle identifier.
func (WorkAppReader) WorkApps(ctx context.Context, tx mdm.Store, tenantID string, d mdm.Device) ([]mdm.WorkApp, error) {
	t, err := store.Extend(tx)
	if err != nil {
		return nil, fmt.Errorf("ios: work apps: %w", err)
	}
	var rows []WorkApp
	if err := t.DB(ctx).Where("tenant_id = ? AND device_id = ?", tenantID, d.ID).Order("bundle_id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("ios: work apps of device %s: %w", d.ID, err)
	}
	out := make([]mdm.WorkApp, 0, len(rows))
	for _, r := range rows {
		out = append(out, mdm.WorkApp{AppID: r.BundleID, Version: r.Version, State: appStates[r.State], Problem: r.Error})
	}
	return out, nil
}
