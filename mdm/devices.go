package mdm

import (
	"context"
	"fmt"
)

// Devices lists the tenant's devices that match the filter, newest first.
func (s *Service) Devices(ctx context.Context, t Tenant, f DeviceFilter) ([]Device, error) {
	devices, err := s.store.Devices().Devices(ctx, t.ID, f)
	if err != nil {
		return nil, fmt.Errorf("list devices of %s: %w", t.Name, err)
	}
	return devices, nil
}

// Device returns the tenant's device with the ID, for a platform or handler that has just
// acted on it; it records no access (see ViewDevice for an administrator looking).
func (s *Service) Device(ctx context.Context, tenantID, id string) (Device, error) {
	d, err := s.store.Devices().Device(ctx, tenantID, id)
	if err != nil {
		return Device{}, fmt.Errorf("device %s: %w", id, err)
	}
	return d, nil
}

// DevicesByPlatformIDs returns the tenant's devices that the platform calls by one of the
// IDs; IDs that name no device are left out.
func (s *Service) DevicesByPlatformIDs(ctx context.Context, tenantID string, p Platform, platformIDs []string) ([]Device, error) {
	return s.store.Devices().DevicesByPlatformIDs(ctx, tenantID, p, platformIDs)
}

// DeviceBatchSize is how many devices work that goes through a whole fleet holds at a
// time (EachDeviceBatch).
const DeviceBatchSize = 500

// EachDeviceBatch calls fn with the tenant's devices that match f, DeviceBatchSize at a
// time, so that work which goes through a whole fleet holds one batch in memory, not the
// fleet. Devices added meanwhile may or may not be seen.
func EachDeviceBatch(ctx context.Context, st DeviceStore, tenantID string, f DeviceFilter, fn func([]Device) error) error {
	after := ""
	for {
		batch, err := st.DeviceBatch(ctx, tenantID, f, after, DeviceBatchSize)
		if err != nil {
			return err
		}
		if len(batch) > 0 {
			if err := fn(batch); err != nil {
				return err
			}
		}
		if len(batch) < DeviceBatchSize {
			return nil
		}
		after = batch[len(batch)-1].ID
	}
}

// EachDeviceBatch calls fn with the tenant's devices that match f, a batch at a time (see
// the function EachDeviceBatch).
func (s *Service) EachDeviceBatch(ctx context.Context, t Tenant, f DeviceFilter, fn func([]Device) error) error {
	if err := EachDeviceBatch(ctx, s.store.Devices(), t.ID, f, fn); err != nil {
		return fmt.Errorf("devices of %s: %w", t.Name, err)
	}
	return nil
}
