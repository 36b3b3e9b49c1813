package mdm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
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
	t, err := st.TenantByID(ctx, job.TenantID)
	if err != nil {
		return fmt.Errorf("move device %s: %w", job.DeviceID, err)
	}
	dev, err := st.Device(ctx, t.ID, job.DeviceID)
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
	p, err := st.WorkPolicy(ctx, t.ID, job.PolicyID)
	if err != nil {
		return fmt.Errorf("move device %s: %w", dev.ID, err)
	}
	if err := mover.MoveDevice(ctx, t, dev, p); err != nil {
		return fmt.Errorf("move device %s to policy %q: %w", dev.ID, p.Name, err)
	}
	return nil
}

// AssignWorkPolicy moves a device to another work policy of its tenant: its platform
// removes the apps the new policy does not have and installs the ones it adds. Moving a
// device to the policy it has changes nothing; a removed device cannot be moved.
func (s *Service) AssignWorkPolicy(ctx context.Context, actor string, t Tenant, deviceID, policyID string) (Device, error) {
	var moved Device
	err := s.atomic(ctx, func(tx Store, at time.Time) error {
		dev, err := tx.Device(ctx, t.ID, deviceID)
		if err != nil {
			return fmt.Errorf("device %s: %w", deviceID, err)
		}
		p, err := tx.WorkPolicy(ctx, t.ID, policyID)
		if err != nil {
			return fmt.Errorf("work policy %s: %w", policyID, err)
		}
		moved = dev
		if dev.WorkPolicyID != nil && *dev.WorkPolicyID == p.ID {
			return nil
		}
		if dev.State == DeviceRemoving || dev.State == DeviceRemoved {
			return fmt.Errorf("%w: device %s is %s; its policy can no longer change", ErrConflict, dev.ID, dev.State)
		}
		if err := tx.SetDeviceWorkPolicy(ctx, t.ID, dev.ID, p.ID, at); err != nil {
			return fmt.Errorf("device %s: %w", dev.ID, err)
		}
		from := ""
		if dev.WorkPolicyID != nil {
			from = *dev.WorkPolicyID
		}
		if _, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.DevicePolicy, Subject: audit.Device.Of(dev.ID),
			Details: audit.Fields(map[string]any{"policy": p.ID, "name": p.Name, "from": from})}); err != nil {
			return err
		}
		// The device joins the policy: a policy job that is running now may have read the
		// policy's devices before this change commits, so the device gets the job of its
		// second, and its platform is told which policy the device now has.
		if err := enqueuePolicyForNewDevice(ctx, tx, t.ID, p, at); err != nil {
			return err
		}
		moved.WorkPolicyID, moved.UpdatedAt = &p.ID, at
		return tx.EnqueueJob(ctx, MoveDeviceJob{TenantID: t.ID, DeviceID: dev.ID, PolicyID: p.ID}, JobOptions{})
	})
	return moved, err
}
