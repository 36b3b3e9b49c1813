package storage

import (
	"context"
	"fmt"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
)

// SetupCheck answers whether a tenant has uploaded its Apple MDM push certificate, without
// which an iPhone cannot enrol (its enrolment profile names the push topic).
type SetupCheck struct{}

var _ mdm.SetupCheck = SetupCheck{}

// SetUp reports whether the tenant has a push certificate.
func (SetupCheck) SetUp(ctx context.Context, tx mdm.Store, tenantID string) (bool, error) {
	t, err := store.Extend(tx)
	if err != nil {
		return false, fmt.Errorf("ios: setup: %w", err)
	}
	var n int64
	if err := t.DB(ctx).Raw(`SELECT COUNT(*) FROM ios_tenant_push WHERE tenant_id = ?`, tenantID).Row().Scan(&n); err != nil {
		return false, fmt.Errorf("ios: read the tenant's push certificate: %w", err)
	}
	return n > 0, nil
}
