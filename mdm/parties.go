package mdm

import (
	"context"
	"fmt"
)

// NoticeParties reads whom a notice about the tenant's device concerns: the tenant, the
// device and its employee. The notices of the compliance and inactivity rules share it.
func (s *Service) NoticeParties(ctx context.Context, tenantID, deviceID string) (Tenant, Device, Employee, error) {
	t, err := s.store.TenantByID(ctx, tenantID)
	if err != nil {
		return t, Device{}, Employee{}, fmt.Errorf("tenant %s: %w", tenantID, err)
	}
	d, err := s.store.Device(ctx, tenantID, deviceID)
	if err != nil {
		return t, d, Employee{}, fmt.Errorf("device %s: %w", deviceID, err)
	}
	e, err := s.store.Employee(ctx, tenantID, d.EmployeeID)
	if err != nil {
		return t, d, e, fmt.Errorf("employee of device %s: %w", deviceID, err)
	}
	return t, d, e, nil
}
