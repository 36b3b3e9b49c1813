package store

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

// Enrolment is the enrolment's view of the store: invitations, the employees they create,
// the count of wrong code guesses, enrolment tokens, the platform's ID of an enrolment and
// the tenant's portal contacts, in whatever transaction it was made on.
type Enrolment struct {
	s *Store
}

// EnrolmentOf returns the enrolment's tables in tx (a transaction, or the store outside one).
func EnrolmentOf(tx mdm.Store) Enrolment { return Enrolment{s: on(tx)} }

// CreateEnrolmentToken stores a new enrolment token of the tenant's device.
func (e Enrolment) CreateEnrolmentToken(ctx context.Context, tenantID string, t *enrolment.Token) error {
	t.TenantID = tenantID
	return e.s.insert(ctx, t)
}

// DeviceByEnrolmentToken returns the device the token hash belongs to, of whichever tenant,
// in one statement: every request of an enrolled phone asks it.
func (e Enrolment) DeviceByEnrolmentToken(ctx context.Context, tokenHash []byte) (mdm.Device, error) {
	return first[mdm.Device](e.s.db.WithContext(ctx).
		Where("(tenant_id, id) IN (SELECT tenant_id, device_id FROM enrolment_tokens WHERE hash = ?)", tokenHash))
}

// SetDevicePlatformID records what the platform calls the device's enrolment.
func (e Enrolment) SetDevicePlatformID(ctx context.Context, tenantID, id, platformID string, at time.Time) error {
	res := e.s.scoped(ctx, tenantID).Model(&mdm.Device{}).Where("id = ?", id).
		Updates(map[string]any{"platform_id": platformID, "updated_at": at})
	return affectedOne(res)
}
