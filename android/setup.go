package android

import (
	"context"
	"fmt"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
)

// SetupCheck answers whether a tenant has bound an Android enterprise, without which no
// phone can enrol (the portal would have no enrolment token to show).
type SetupCheck struct{}

var _ mdm.SetupCheck = SetupCheck{}

// SetUp reports whether the tenant has an Android enterprise.
func (SetupCheck) SetUp(ctx context.Context, tx mdm.Store, tenantID string) (bool, error) {
	t, err := store.Extend(tx)
	if err != nil {
		return false, fmt.Errorf("android: setup: %w", err)
	}
	var n int64
	if err := t.DB(ctx).Model(&enterprise{}).Where("tenant_id = ?", tenantID).Count(&n).Error; err != nil {
		return false, fmt.Errorf("android: read the tenant's enterprise: %w", err)
	}
	return n > 0, nil
}
