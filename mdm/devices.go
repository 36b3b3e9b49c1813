package mdm

import (
	"context"
	"fmt"
)

// Devices lists the tenant's devices that match the filter, newest first.
func (s *Service) Devices(ctx context.Context, t Tenant, f DeviceFilter) ([]Device, error) {
	devices, err := s.store.Devices(ctx, t.ID, f)
	if err != nil {
		return nil, fmt.Errorf("list devices of %s: %w", t.Name, err)
	}
	return devices, nil
}
