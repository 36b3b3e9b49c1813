package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/mdm"
)

// Devices are the tables of the root of the core that are about devices: the devices
// with their state and verdict, the employees they belong to, and the pages and counts the
// consoles read.
type Devices struct{ s *Store }

// Devices returns the devices' tables in s's transaction (or outside one), as the core
// reaches them through mdm.Store.
func (s *Store) Devices() mdm.DeviceStore { return Devices{s: s} }

// CreateDevice stores a new device of the tenant.
func (dv Devices) CreateDevice(ctx context.Context, tenantID string, d *mdm.Device) error {
	d.TenantID = tenantID
	if d.ReportedCompliance == "" {
		// A device nobody has reported on yet: the platform's word is what the verdict
		// says, where a platform could say it.
		d.ReportedCompliance = mdm.ComplianceUnknown
		if d.Compliance == mdm.ComplianceCompliant || d.Compliance == mdm.ComplianceNonCompliant {
			d.ReportedCompliance = d.Compliance
		}
	}
	return dv.s.insert(ctx, d)
}

// Device returns the tenant's device with the ID.
func (dv Devices) Device(ctx context.Context, tenantID, id string) (mdm.Device, error) {
	return byID[mdm.Device](ctx, dv.s, tenantID, id)
}

// Devices returns the tenant's devices that match the filter, newest first.
func (dv Devices) Devices(ctx context.Context, tenantID string, f mdm.DeviceFilter) ([]mdm.Device, error) {
	var ds []mdm.Device
	err := filterDevices(dv.s.scoped(ctx, tenantID), "", f).Order("created_at DESC, id").Find(&ds).Error
	return ds, translate(err)
}

// DeviceBatch returns up to limit of the tenant's devices that match f with an ID after
// afterID, by ID.
func (dv Devices) DeviceBatch(ctx context.Context, tenantID string, f mdm.DeviceFilter, afterID string, limit int) ([]mdm.Device, error) {
	var ds []mdm.Device
	err := filterDevices(dv.s.scoped(ctx, tenantID), "", f).Where("id > ?", afterID).Order("id").Limit(limit).Find(&ds).Error
	return ds, translate(err)
}

// EmployeeDeviceBatch returns the tenant's devices that match f of the next employees
// after afterEmployeeID, by employee ID and then oldest first. Both statements search
// devices_employee_newest from afterEmployeeID on, so a page costs what its employees'
// devices cost, however large the fleet.
func (dv Devices) EmployeeDeviceBatch(ctx context.Context, tenantID string, f mdm.DeviceFilter, afterEmployeeID string, employees int) ([]mdm.Device, error) {
	next := filterDevices(dv.s.scoped(ctx, tenantID).Model(&mdm.Device{}), "", f).Where("employee_id > ?", afterEmployeeID).
		Distinct("employee_id").Order("employee_id").Limit(employees)
	var ds []mdm.Device
	err := filterDevices(dv.s.scoped(ctx, tenantID), "", f).Where("employee_id IN (?)", next).
		Order("employee_id, created_at, id").Find(&ds).Error
	return ds, translate(err)
}

// filterDevices narrows a query of devices to those f selects; prefix qualifies the
// columns ("devices." when the query joins other tables).
func filterDevices(db *gorm.DB, prefix string, f mdm.DeviceFilter) *gorm.DB {
	for _, c := range [...]struct{ col, v string }{{"platform", string(f.Platform)}, {"state", string(f.State)},
		{"employee_id", f.EmployeeID}, {"work_policy_id", f.WorkPolicyID}, {"ownership", string(f.Ownership)}} {
		if c.v != "" {
			db = db.Where(prefix+c.col+" = ?", c.v)
		}
	}
	return db
}

// SetDeviceState moves a device from one state to another if the state machine allows it.
func (dv Devices) SetDeviceState(ctx context.Context, tenantID, id string, from, to mdm.DeviceState, at time.Time) error {
	if !from.CanBecome(to) {
		return fmt.Errorf("%w: a device cannot go from %s to %s", mdm.ErrInvalid, from, to)
	}
	err := dv.s.transition(ctx, &mdm.Device{}, tenantID, id, string(from), string(to),
		map[string]any{"state": to, "updated_at": at})
	if err != nil {
		return fmt.Errorf("device %s: %w", id, err)
	}
	return nil
}

// SetHardwareIDs records the hardware identifiers of the tenant's device. The statement
// itself names the ownership, so that not even a mistake of the caller writes them for
// the employee's own phone.
func (dv Devices) SetHardwareIDs(ctx context.Context, tenantID, id string, h mdm.HardwareIDs, at time.Time) error {
	res := dv.s.scoped(ctx, tenantID).Model(&mdm.Device{}).Where("id = ? AND ownership = ?", id, mdm.OwnershipCompany).
		Updates(map[string]any{"serial_number": h.SerialNumber, "imei": h.IMEI, "udid": h.UDID, "updated_at": at})
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("no company-owned device %s: %w", id, mdm.ErrNotFound)
	}
	return nil
}

// DevicesByPlatformIDs returns the tenant's devices that the platform calls by one of the
// IDs, in one statement.
func (dv Devices) DevicesByPlatformIDs(ctx context.Context, tenantID string, platform mdm.Platform, platformIDs []string) ([]mdm.Device, error) {
	if len(platformIDs) == 0 {
		return nil, nil
	}
	var ds []mdm.Device
	// platform_id <> '' lets the database use the partial index devices_platform_id.
	err := dv.s.scoped(ctx, tenantID).Where("platform = ? AND platform_id IN ? AND platform_id <> ''", platform, platformIDs).Find(&ds).Error
	return ds, translate(err)
}
