package android

import (
	"context"
	"fmt"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
)

// Forgetter deletes the Android rows of devices whose retention has ended, in the domain's
// transaction that deletes the devices: their work profiles' enterprise-specific IDs, the
// keys their certificates were bound to, their work apps' versions, the ownership they
// last claimed against their invitation's and the AMAPI operations of their commands. It
// needs no AMAPI access, so it works while Android is not configured too.
type Forgetter struct{}

var _ mdm.DeviceForgetter = Forgetter{}

// ForgetDevices deletes the rows of the tenant's devices ds.
func (Forgetter) ForgetDevices(ctx context.Context, tx mdm.Store, tenantID string, ds []mdm.Device) error {
	ids := make([]string, 0, len(ds))
	for _, d := range ds {
		if d.Platform == mdm.PlatformAndroid {
			ids = append(ids, d.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	t, err := store.Extend(tx)
	if err != nil {
		return fmt.Errorf("android: forget devices: %w", err)
	}
	db := t.DB(ctx)
	if err := db.Where("tenant_id = ? AND device_id IN ?", tenantID, ids).Delete(&enterpriseID{}).Error; err != nil {
		return fmt.Errorf("android: forget enterprise-specific IDs: %w", err)
	}
	if err := db.Where("tenant_id = ? AND device_id IN ?", tenantID, ids).Delete(&certificateKey{}).Error; err != nil {
		return fmt.Errorf("android: forget certificate keys: %w", err)
	}
	if err := db.Where("tenant_id = ? AND device_id IN ?", tenantID, ids).Delete(&workAppRow{}).Error; err != nil {
		return fmt.Errorf("android: forget work app versions: %w", err)
	}
	if err := db.Where("tenant_id = ? AND device_id IN ?", tenantID, ids).Delete(&ownershipRefusal{}).Error; err != nil {
		return fmt.Errorf("android: forget refused ownerships: %w", err)
	}
	err = db.Where("tenant_id = ? AND command_id IN (SELECT id FROM commands WHERE tenant_id = ? AND device_id IN ?)", tenantID, tenantID, ids).
		Delete(&operation{}).Error
	if err != nil {
		return fmt.Errorf("android: forget operations: %w", err)
	}
	return nil
}
