package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
)

// Forgetter deletes the Apple MDM rows of devices whose retention has ended, in the
// domain's transaction that deletes the devices: the channel's check-in data with its
// enrolments and command queue, its certificate associations, the work apps kept for it,
// the hardware facts of a company-owned device, and its declarative management (its
// enrolment, the declaration states it reported, and the sets no enrolment follows any
// more). Commands no queue holds any more are left to PruneCommands.
type Forgetter struct{}

var _ mdm.DeviceForgetter = Forgetter{}

// ForgetDevices deletes the rows of the tenant's devices ds.
func (Forgetter) ForgetDevices(ctx context.Context, tx mdm.Store, tenantID string, ds []mdm.Device) error {
	var ids, enrolments []string
	for _, d := range ds {
		if d.Platform != mdm.PlatformIOS {
			continue
		}
		ids = append(ids, d.ID)
		if d.PlatformID != "" {
			enrolments = append(enrolments, d.PlatformID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	t, err := store.Extend(tx)
	if err != nil {
		return fmt.Errorf("ios: forget devices: %w", err)
	}
	db := t.DB(ctx)
	for _, table := range []string{"ios_work_apps", "ios_hardware", "ios_ddm_enrolments", "ios_ddm_declaration_status", "ios_ddm_certificates"} {
		if err := db.Exec("DELETE FROM "+table+" WHERE tenant_id = ? AND device_id IN ?", tenantID, ids).Error; err != nil {
			return fmt.Errorf("ios: forget the rows of %s: %w", table, err)
		}
	}
	// A set with a work mail account names its employee: sets no enrolment follows any more
	// go now rather than with the tenant's next assignment.
	if err := DropUnusedSets(db, tenantID, time.Now().Add(-UnusedSetAfter)); err != nil {
		return fmt.Errorf("ios: forget devices: %w", err)
	}
	if len(enrolments) == 0 {
		return nil
	}
	if err := db.Exec("DELETE FROM ios_cert_auth WHERE id IN ?", enrolments).Error; err != nil {
		return fmt.Errorf("ios: forget certificate associations: %w", err)
	}
	// The device row takes its user channels, enrolments and queues with it.
	if err := db.Exec("DELETE FROM ios_devices WHERE id IN ?", enrolments).Error; err != nil {
		return fmt.Errorf("ios: forget check-in data: %w", err)
	}
	return nil
}
