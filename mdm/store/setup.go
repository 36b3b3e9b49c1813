package store

import (
	"context"
	"fmt"

	"github.com/trennwand/trennwand/mdm"
)

// TenantRow is a platform's set-up that is done once the tenant has a row in the
// platform's table: an Android enterprise bound, an Apple push certificate uploaded.
type TenantRow struct {
	Table string // the platform's own table, keyed by tenant_id
	Do    string // what IT does to set the platform up
}

var _ mdm.SetupCheck = TenantRow{}

// Todo says what IT does to set the platform up.
func (r TenantRow) Todo() string { return r.Do }

// SetUp reports whether the tenant has a row in the table, inside tx.
func (r TenantRow) SetUp(ctx context.Context, tx mdm.Store, tenantID string) (bool, error) {
	t, err := Extend(tx)
	if err != nil {
		return false, fmt.Errorf("is %s set up: %w", r.Table, err)
	}
	var n int64
	if err := t.DB(ctx).Table(r.Table).Where("tenant_id = ?", tenantID).Count(&n).Error; err != nil {
		return false, fmt.Errorf("read %s: %w", r.Table, err)
	}
	return n > 0, nil
}
