package store

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// CreateEnrolmentToken stores a new enrolment token of the tenant's device.
func (s *Store) CreateEnrolmentToken(ctx context.Context, tenantID string, t *mdm.EnrolmentToken) error {
	t.TenantID = tenantID
	return s.insert(ctx, t)
}

// DeviceByEnrolmentToken returns the device the token hash belongs to, of whichever tenant,
// in one statement: every request of an enrolled phone asks it.
func (s *Store) DeviceByEnrolmentToken(ctx context.Context, tokenHash []byte) (mdm.Device, error) {
	return first[mdm.Device](s.db.WithContext(ctx).
		Where("(tenant_id, id) IN (SELECT tenant_id, device_id FROM enrolment_tokens WHERE hash = ?)", tokenHash))
}

// SetDevicePlatformID records what the platform calls the device's enrolment.
func (s *Store) SetDevicePlatformID(ctx context.Context, tenantID, id, platformID string, at time.Time) error {
	res := s.scoped(ctx, tenantID).Model(&mdm.Device{}).Where("id = ?", id).
		Updates(map[string]any{"platform_id": platformID, "updated_at": at})
	return affectedOne(res)
}
