// Package dataprotection is the core's data protection: a tenant's data-protection
// settings (table data_protection_settings), the inactivity rule with its flags
// (device_inactivity), its notices and its action after the grace period, the deletion of
// removed devices after their retention period, the report of everything kept about one
// employee (Art. 15 GDPR), the record of processing (Art. 30 GDPR), and the drafts the
// data-protection officer takes for approval: the impact assessment (Art. 35 GDPR), the
// service agreement with the staff council and the BSI mapping.
//
// It acts on devices only through the core: a lock is a command queued with
// mdm.QueueCommand, a removal is mdm.OrderRemoval, each in the transaction that marks the
// flag, so that the action is taken once however often the rule runs. The privacy notice
// an employee reads before enrolling is not here but in the core (mdm.PrivacyNotice):
// enrolment checks its version and the platforms tie it to their capabilities.
package dataprotection

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// Store is what data protection keeps: the settings, the inactivity flags, and the
// removed devices whose retention ended. Reads of the devices, commands, work policies
// and the audit trail go through the core's store.
type Store interface {
	// DataProtection returns the tenant's settings; ErrNotFound when it has none stored.
	DataProtection(ctx context.Context, tenantID string) (DataProtection, error)
	// SaveDataProtection creates or replaces the tenant's settings.
	SaveDataProtection(ctx context.Context, tenantID string, d *DataProtection) error

	// InactiveDevices returns up to limit of the tenant's active devices whose last contact
	// (or, without one, their creation) lies before `before` and that are not flagged.
	InactiveDevices(ctx context.Context, tenantID string, before time.Time, limit int) ([]mdm.Device, error)
	// FlagInactive stores a new flag; ErrConflict when the device is flagged already.
	FlagInactive(ctx context.Context, tenantID string, f *DeviceInactivity) error
	// DueInactivity returns up to limit of the tenant's flags made before `before` that
	// were not acted on.
	DueInactivity(ctx context.Context, tenantID string, before time.Time, limit int) ([]DeviceInactivity, error)
	// DeviceInactivity returns the device's flag; ErrNotFound when it has none.
	DeviceInactivity(ctx context.Context, tenantID, deviceID string) (DeviceInactivity, error)
	// SetInactivityActed records the action on a flag; ErrConflict when it was acted on.
	SetInactivityActed(ctx context.Context, tenantID, deviceID, action string, at time.Time) error
	// SetInactivityMailed records that the notices went out; ErrConflict when they had.
	SetInactivityMailed(ctx context.Context, tenantID, deviceID string, at time.Time) error
	// ClearInactivity removes the device's flag.
	ClearInactivity(ctx context.Context, tenantID, deviceID string) error

	// ExpiredDevices returns up to limit of the tenant's removed devices that were last
	// changed before `before`, locked until the transaction ends, so that replicas running
	// the same sweep do not both delete (and record) one device.
	ExpiredDevices(ctx context.Context, tenantID string, before time.Time, limit int) ([]mdm.Device, error)
	// DeleteDevices deletes the devices with everything that hangs on them (commands,
	// enrolment tokens, inactivity flags) and returns how many devices went.
	DeleteDevices(ctx context.Context, tenantID string, ids []string) (int64, error)

	// EmployeeInvitations returns all of the employee's invitations, oldest first, for
	// the report.
	EmployeeInvitations(ctx context.Context, tenantID, employeeID string) ([]mdm.Invitation, error)
}

// Service carries out data protection's rules for every tenant, on the core's store and
// with the core's clock, CA and platforms.
type Service struct {
	mdm.Domain[Store]
}

// New returns data protection on db, whose tables tables opens in a transaction or
// outside one; core is the service whose devices the rules act on.
func New(core *mdm.Service, db mdm.Store, tables func(tx mdm.Store) Store) *Service {
	return &Service{Domain: mdm.NewDomain(core, db, tables)}
}
