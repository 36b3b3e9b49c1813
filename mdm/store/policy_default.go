package store

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// DefaultWorkPolicy returns the tenant's default work policy with its apps.
func (w WorkPolicies) DefaultWorkPolicy(ctx context.Context, tenantID string) (mdm.WorkPolicy, error) {
	p, err := first[mdm.WorkPolicy](w.s.scoped(ctx, tenantID).Where("is_default"))
	if err != nil {
		return p, err
	}
	return w.WorkPolicy(ctx, tenantID, p.ID)
}

// SetDefaultWorkPolicy makes the policy the tenant's default. The old default is cleared
// first, so that the unique index never sees two at once.
func (w WorkPolicies) SetDefaultWorkPolicy(ctx context.Context, tenantID, id string) error {
	return w.s.transact(ctx, func(tx *Tx) error {
		if _, err := byID[mdm.WorkPolicy](ctx, tx.Store, tenantID, id); err != nil {
			return err
		}
		if err := tx.scoped(ctx, tenantID).Model(&mdm.WorkPolicy{}).Where("is_default AND id <> ?", id).
			Update("is_default", false).Error; err != nil {
			return translate(err)
		}
		return translate(tx.scoped(ctx, tenantID).Model(&mdm.WorkPolicy{}).Where("id = ?", id).
			Update("is_default", true).Error)
	})
}

// SetDeviceWorkPolicy gives the tenant's device the tenant's policy; a policy of another
// tenant is refused by the database.
func (w WorkPolicies) SetDeviceWorkPolicy(ctx context.Context, tenantID, deviceID, policyID string, at time.Time) error {
	res := w.s.scoped(ctx, tenantID).Model(&mdm.Device{}).Where("id = ?", deviceID).
		Updates(map[string]any{"work_policy_id": policyID, "updated_at": at})
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return mdm.ErrNotFound
	}
	return nil
}
