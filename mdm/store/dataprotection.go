package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/dataprotection"
)

// DataProtection is data protection's view of the store: its settings and inactivity
// flags, and the deletion of removed devices whose retention ended. It works in the
// transaction (or outside one) it was opened on.
type DataProtection struct{ s *Store }

// DataProtectionOf opens data protection's tables on tx, a transaction or the store.
func DataProtectionOf(tx mdm.Store) DataProtection { return DataProtection{s: on(tx)} }

// The tables of data protection; their rows are the sub-domain's types.
const (
	dataProtectionTable = "data_protection_settings"
	inactivityTable     = "device_inactivity"
)

// DataProtection returns the tenant's stored data-protection settings.
func (v DataProtection) DataProtection(ctx context.Context, tenantID string) (dataprotection.DataProtection, error) {
	return first[dataprotection.DataProtection](v.s.scoped(ctx, tenantID).Table(dataProtectionTable))
}

// SaveDataProtection creates or replaces the tenant's settings with one upsert.
func (v DataProtection) SaveDataProtection(ctx context.Context, tenantID string, d *dataprotection.DataProtection) error {
	d.TenantID = tenantID
	err := v.s.db.WithContext(ctx).Table(dataProtectionTable).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "tenant_id"}},
		UpdateAll: true,
	}).Create(d).Error
	return translate(err)
}

// ExpiredDevices returns removed devices last changed before `before`, oldest first,
// locked for the transaction (on PostgreSQL; SQLite's writer lock serialises anyway).
func (v DataProtection) ExpiredDevices(ctx context.Context, tenantID string, before time.Time, limit int) ([]mdm.Device, error) {
	var ds []mdm.Device
	err := v.s.scoped(ctx, tenantID).Clauses(clause.Locking{Strength: "UPDATE"}).
		Where("state = ? AND updated_at < ?", mdm.DeviceRemoved, before.UTC()).
		Order("updated_at").Limit(limit).Find(&ds).Error
	return ds, translate(err)
}

// DeleteDevices deletes the devices and the rows that hang on them. Enrolment tokens and
// inactivity flags go with the device (ON DELETE CASCADE); commands are deleted here.
func (v DataProtection) DeleteDevices(ctx context.Context, tenantID string, ids []string) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	if err := v.s.scoped(ctx, tenantID).Where("device_id IN ?", ids).Delete(&mdm.Command{}).Error; err != nil {
		return 0, fmt.Errorf("delete commands: %w", translate(err))
	}
	res := v.s.scoped(ctx, tenantID).Where("id IN ?", ids).Delete(&mdm.Device{})
	return res.RowsAffected, translate(res.Error)
}

// InactiveDevices returns active devices silent since before `before` that carry no flag.
func (v DataProtection) InactiveDevices(ctx context.Context, tenantID string, before time.Time, limit int) ([]mdm.Device, error) {
	var ds []mdm.Device
	err := v.s.scoped(ctx, tenantID).
		Where("state = ? AND COALESCE(last_contact_at, created_at) < ?", mdm.DeviceActive, before.UTC()).
		Where("NOT EXISTS (SELECT 1 FROM " + inactivityTable + " f WHERE f.tenant_id = devices.tenant_id AND f.device_id = devices.id)").
		Order("id").Limit(limit).Find(&ds).Error
	return ds, translate(err)
}

// FlagInactive stores a new flag; the primary key refuses a second one.
func (v DataProtection) FlagInactive(ctx context.Context, tenantID string, f *dataprotection.DeviceInactivity) error {
	f.TenantID = tenantID
	return translate(v.s.db.WithContext(ctx).Table(inactivityTable).Create(f).Error)
}

// DueInactivity returns flags made before `before` that were not acted on.
func (v DataProtection) DueInactivity(ctx context.Context, tenantID string, before time.Time, limit int) ([]dataprotection.DeviceInactivity, error) {
	var fs []dataprotection.DeviceInactivity
	err := v.inactivity(ctx, tenantID).Where("acted_at IS NULL AND flagged_at < ?", before.UTC()).
		Order("flagged_at, device_id").Limit(limit).Find(&fs).Error
	return fs, translate(err)
}

// DeviceInactivity returns the device's flag.
func (v DataProtection) DeviceInactivity(ctx context.Context, tenantID, deviceID string) (dataprotection.DeviceInactivity, error) {
	return first[dataprotection.DeviceInactivity](v.inactivity(ctx, tenantID).Where("device_id = ?", deviceID))
}

// SetInactivityActed marks the flag acted on, once.
func (v DataProtection) SetInactivityActed(ctx context.Context, tenantID, deviceID, action string, at time.Time) error {
	return v.markInactivity(ctx, tenantID, deviceID, "acted_at", map[string]any{"acted_at": at, "action": action})
}

// SetInactivityMailed marks the flag's notices sent, once.
func (v DataProtection) SetInactivityMailed(ctx context.Context, tenantID, deviceID string, at time.Time) error {
	return v.markInactivity(ctx, tenantID, deviceID, "mailed_at", map[string]any{"mailed_at": at})
}

// markInactivity sets the columns if column is still empty; of two concurrent marks, one
// succeeds and the other sees ErrConflict.
func (v DataProtection) markInactivity(ctx context.Context, tenantID, deviceID, column string, set map[string]any) error {
	res := v.inactivity(ctx, tenantID).Where("device_id = ? AND "+column+" IS NULL", deviceID).Updates(set)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 1 {
		return nil
	}
	if _, err := v.DeviceInactivity(ctx, tenantID, deviceID); err != nil {
		return err
	}
	return fmt.Errorf("%w: the inactivity flag of device %s has %s set", mdm.ErrConflict, deviceID, column)
}

// ClearInactivity removes the device's flag.
func (v DataProtection) ClearInactivity(ctx context.Context, tenantID, deviceID string) error {
	return translate(v.inactivity(ctx, tenantID).Where("device_id = ?", deviceID).Delete(&dataprotection.DeviceInactivity{}).Error)
}

func (v DataProtection) inactivity(ctx context.Context, tenantID string) *gorm.DB {
	return v.s.db.WithContext(ctx).Table(inactivityTable).Where("tenant_id = ?", tenantID)
}

// EmployeeInvitations returns the employee's invitations, oldest first.
func (v DataProtection) EmployeeInvitations(ctx context.Context, tenantID, employeeID string) ([]mdm.Invitation, error) {
	var is []mdm.Invitation
	err := v.s.scoped(ctx, tenantID).Where("employee_id = ?", employeeID).Order("created_at, id").Find(&is).Error
	return is, translate(err)
}
