package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/trennwand/trennwand/mdm"
)

// The tables of data protection; their rows are the domain's types.
const (
	dataProtectionTable = "data_protection_settings"
	inactivityTable     = "device_inactivity"
)

// DataProtection returns the tenant's stored data-protection settings.
func (s *Store) DataProtection(ctx context.Context, tenantID string) (mdm.DataProtection, error) {
	return first[mdm.DataProtection](s.scoped(ctx, tenantID).Table(dataProtectionTable))
}

// SaveDataProtection creates or replaces the tenant's settings with one upsert.
func (s *Store) SaveDataProtection(ctx context.Context, tenantID string, d *mdm.DataProtection) error {
	d.TenantID = tenantID
	err := s.db.WithContext(ctx).Table(dataProtectionTable).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "tenant_id"}},
		UpdateAll: true,
	}).Create(d).Error
	return translate(err)
}

// ExpiredDevices returns removed devices last changed before `before`, oldest first,
// locked for the transaction (on PostgreSQL; SQLite's writer lock serialises anyway).
func (s *Store) ExpiredDevices(ctx context.Context, tenantID string, before time.Time, limit int) ([]mdm.Device, error) {
	var ds []mdm.Device
	err := s.scoped(ctx, tenantID).Clauses(clause.Locking{Strength: "UPDATE"}).
		Where("state = ? AND updated_at < ?", mdm.DeviceRemoved, before.UTC()).
		Order("updated_at").Limit(limit).Find(&ds).Error
	return ds, translate(err)
}

// DeleteDevices deletes the devices and the rows that hang on them. Enrolment tokens and
// inactivity flags go with the device (ON DELETE CASCADE); commands are deleted here.
func (s *Store) DeleteDevices(ctx context.Context, tenantID string, ids []string) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	if err := s.scoped(ctx, tenantID).Where("device_id IN ?", ids).Delete(&mdm.Command{}).Error; err != nil {
		return 0, fmt.Errorf("delete commands: %w", translate(err))
	}
	res := s.scoped(ctx, tenantID).Where("id IN ?", ids).Delete(&mdm.Device{})
	return res.RowsAffected, translate(res.Error)
}

// InactiveDevices returns active devices silent since before `before` that carry no flag.
func (s *Store) InactiveDevices(ctx context.Context, tenantID string, before time.Time, limit int) ([]mdm.Device, error) {
	var ds []mdm.Device
	err := s.scoped(ctx, tenantID).
		Where("state = ? AND COALESCE(last_contact_at, created_at) < ?", mdm.DeviceActive, before.UTC()).
		Where("NOT EXISTS (SELECT 1 FROM " + inactivityTable + " f WHERE f.tenant_id = devices.tenant_id AND f.device_id = devices.id)").
		Order("id").Limit(limit).Find(&ds).Error
	return ds, translate(err)
}

// FlagInactive stores a new flag; the primary key refuses a second one.
func (s *Store) FlagInactive(ctx context.Context, tenantID string, f *mdm.DeviceInactivity) error {
	f.TenantID = tenantID
	return translate(s.db.WithContext(ctx).Table(inactivityTable).Create(f).Error)
}

// DueInactivity returns flags made before `before` that were not acted on.
func (s *Store) DueInactivity(ctx context.Context, tenantID string, before time.Time, limit int) ([]mdm.DeviceInactivity, error) {
	var fs []mdm.DeviceInactivity
	err := s.inactivity(ctx, tenantID).Where("acted_at IS NULL AND flagged_at < ?", before.UTC()).
		Order("flagged_at, device_id").Limit(limit).Find(&fs).Error
	return fs, translate(err)
}

// DeviceInactivity returns the device's flag.
func (s *Store) DeviceInactivity(ctx context.Context, tenantID, deviceID string) (mdm.DeviceInactivity, error) {
	return first[mdm.DeviceInactivity](s.inactivity(ctx, tenantID).Where("device_id = ?", deviceID))
}

// SetInactivityActed marks the flag acted on, once.
func (s *Store) SetInactivityActed(ctx context.Context, tenantID, deviceID, action string, at time.Time) error {
	return s.markInactivity(ctx, tenantID, deviceID, "acted_at", map[string]any{"acted_at": at, "action": action})
}

// SetInactivityMailed marks the flag's notices sent, once.
func (s *Store) SetInactivityMailed(ctx context.Context, tenantID, deviceID string, at time.Time) error {
	return s.markInactivity(ctx, tenantID, deviceID, "mailed_at", map[string]any{"mailed_at": at})
}

// markInactivity sets the columns if column is still empty; of two concurrent marks, one
// succeeds and the other sees ErrConflict.
func (s *Store) markInactivity(ctx context.Context, tenantID, deviceID, column string, set map[string]any) error {
	res := s.inactivity(ctx, tenantID).Where("device_id = ? AND "+column+" IS NULL", deviceID).Updates(set)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 1 {
		return nil
	}
	if _, err := s.DeviceInactivity(ctx, tenantID, deviceID); err != nil {
		return err
	}
	return fmt.Errorf("%w: the inactivity flag of device %s has %s set", mdm.ErrConflict, deviceID, column)
}

// ClearInactivity removes the device's flag.
func (s *Store) ClearInactivity(ctx context.Context, tenantID, deviceID string) error {
	return translate(s.inactivity(ctx, tenantID).Where("device_id = ?", deviceID).Delete(&mdm.DeviceInactivity{}).Error)
}

func (s *Store) inactivity(ctx context.Context, tenantID string) *gorm.DB {
	return s.db.WithContext(ctx).Table(inactivityTable).Where("tenant_id = ?", tenantID)
}

// EmployeeInvitations returns the employee's invitations, oldest first.
func (s *Store) EmployeeInvitations(ctx context.Context, tenantID, employeeID string) ([]mdm.Invitation, error) {
	var is []mdm.Invitation
	err := s.scoped(ctx, tenantID).Where("employee_id = ?", employeeID).Order("created_at, id").Find(&is).Error
	return is, translate(err)
}
