package store

import (
	"context"

	"github.com/trennwand/trennwand/mdm"
)

// DevicesByIDs returns the tenant's devices with the IDs, in one query; IDs that name no
// device of the tenant are left out. A page that names many devices (the audit trail's)
// reads them at once instead of one by one.
func (dv Devices) DevicesByIDs(ctx context.Context, tenantID string, ids []string) ([]mdm.Device, error) {
	var ds []mdm.Device
	if len(ids) == 0 {
		return nil, nil
	}
	err := dv.s.scoped(ctx, tenantID).Where("id IN ?", ids).Find(&ds).Error
	return ds, translate(err)
}

// EmployeesByIDs returns the tenant's employees with the IDs, in one query; IDs that
// name no employee of the tenant are left out.
func (dv Devices) EmployeesByIDs(ctx context.Context, tenantID string, ids []string) ([]mdm.Employee, error) {
	var es []mdm.Employee
	if len(ids) == 0 {
		return nil, nil
	}
	err := dv.s.scoped(ctx, tenantID).Where("id IN ?", ids).Find(&es).Error
	return es, translate(err)
}
