package mdm

import (
	"context"
	"errors"
	"fmt"
)

// MoveDeviceJob points one device at the work policy it was moved to, on its platform.
type MoveDeviceJob struct {
	TenantID string `json:"tenant_id"`
	DeviceID string `json:"device_id"`
	PolicyID string `json:"policy_id"`
}

// Kind names the job's worker.
func (MoveDeviceJob) Kind() string { return "mdm_move_device" }

// PolicyMover is implemented by a driver whose platform keeps a policy per device, which
// must be changed when the device moves to another work policy (Android's device resource
// names its policy). Platforms that plan per device from the work policy (iOS) need no
// more than the policy's own job.
type PolicyMover interface {
	// MoveDevice makes the platform apply p to the enrolled device d.
	MoveDevice(ctx context.Context, t Tenant, d Device, p WorkPolicy) error
}

// MoveDevice is the worker of MoveDeviceJob. A device that has been moved on again since
// is left alone (the newer move has its own job), as is a device that is not enrolled on
// its platform yet: its enrolment carries the policy it has then.
func (d *Dispatcher) MoveDevice(ctx context.Context, job MoveDeviceJob) error {
	st := d.svc.store
	t, err := st.Tenants().TenantByID(ctx, job.TenantID)
	if err != nil {
		return fmt.Errorf("move device %s: %w", job.DeviceID, err)
	}
	dev, err := st.Devices().Device(ctx, t.ID, job.DeviceID)
	if errors.Is(err, ErrNotFound) {
		return nil // deleted since
	} else if err != nil {
		return fmt.Errorf("move device %s: %w", job.DeviceID, err)
	}
	if dev.WorkPolicyID == nil || *dev.WorkPolicyID != job.PolicyID || dev.PlatformID == "" || dev.State == DeviceRemoved {
		return nil
	}
	mover, ok := d.drivers[dev.Platform].(PolicyMover)
	if !ok {
		return nil
	}
	p, err := st.Policies().WorkPolicy(ctx, t.ID, job.PolicyID)
	if err != nil {
		return fmt.Errorf("move device %s: %w", dev.ID, err)
	}
	if err := mover.MoveDevice(ctx, t, dev, p); err != nil {
		return fmt.Errorf("move device %s to policy %q: %w", dev.ID, p.Name, err)
	}
	return nil
}
