package mdm

import (
	"context"
	"fmt"
)

// NoticeParties reads whom a notice about the tenant's device concerns: the tenant, the
// device and its employee. The rules that mail an employee about a device (compliance,
// inactivity) read them here, on st, the store or the transaction they work in.
func NoticeParties(ctx context.Context, st Store, tenantID, deviceID string) (Tenant, Device, Employee, error) {
	t, err := st.Tenants().TenantByID(ctx, tenantID)
	if err != nil {
		return t, Device{}, Employee{}, fmt.Errorf("tenant %s: %w", tenantID, err)
	}
	d, err := st.Devices().Device(ctx, tenantID, deviceID)
	if err != nil {
		return t, d, Employee{}, fmt.Errorf("device %s: %w", deviceID, err)
	}
	e, err := st.Devices().Employee(ctx, tenantID, d.EmployeeID)
	if err != nil {
		return t, d, e, fmt.Errorf("employee of device %s: %w", deviceID, err)
	}
	return t, d, e, nil
}
