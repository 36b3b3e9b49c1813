package workpolicy

import (
	"context"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// AssignWorkPolicy moves a device to another work policy of its tenant: its platform
// removes the apps the new policy does not have and installs the ones it adds. Moving a
// device to the policy it has changes nothing; a removed device cannot be moved.
func (s *Service) AssignWorkPolicy(ctx context.Context, actor string, t mdm.Tenant, deviceID, policyID string) (mdm.Device, error) {
	var moved mdm.Device
	err := s.Atomic(ctx, func(tx mdm.Store, at time.Time) (err error) {
		moved, err = s.MoveIn(ctx, tx, at, actor, t, deviceID, policyID)
		return err
	})
	return moved, err
}

// MoveIn is AssignWorkPolicy in the caller's transaction tx, at the time of its change:
// for a sub-domain whose own change moves the device (a mover of the directory).
func (s *Service) MoveIn(ctx context.Context, tx mdm.Store, at time.Time, actor string, t mdm.Tenant, deviceID, policyID string) (mdm.Device, error) {
	tables := s.Tables(tx)
	dev, err := tx.Devices().Device(ctx, t.ID, deviceID)
	if err != nil {
		return mdm.Device{}, fmt.Errorf("device %s: %w", deviceID, err)
	}
	p, err := tables.WorkPolicy(ctx, t.ID, policyID)
	if err != nil {
		return mdm.Device{}, fmt.Errorf("work policy %s: %w", policyID, err)
	}
	moved := dev
	if dev.WorkPolicyID != nil && *dev.WorkPolicyID == p.ID {
		return moved, nil
	}
	if dev.State == mdm.DeviceRemoving || dev.State == mdm.DeviceRemoved {
		return mdm.Device{}, mdm.Refuse("refusal.move_gone", fmt.Errorf("%w: device %s is %s; its policy can no longer change", mdm.ErrConflict, dev.ID, dev.State))
	}
	if err := tables.SetDeviceWorkPolicy(ctx, t.ID, dev.ID, p.ID, at); err != nil {
		return mdm.Device{}, fmt.Errorf("device %s: %w", dev.ID, err)
	}
	from := ""
	if dev.WorkPolicyID != nil {
		from = *dev.WorkPolicyID
	}
	if _, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.DevicePolicy, Subject: audit.Device.Of(dev.ID),
		Details: audit.Fields(map[string]any{"policy": p.ID, "name": p.Name, "from": from})}); err != nil {
		return mdm.Device{}, err
	}
	// The device joins the policy: it gets a job of its own, which runs once this
	// change has committed, and its platform is told which policy the device now has.
	if err := mdm.EnqueuePolicyForNewDevice(ctx, tx, t.ID, p, dev.ID); err != nil {
		return mdm.Device{}, err
	}
	moved.WorkPolicyID, moved.UpdatedAt = &p.ID, at
	return moved, tx.EnqueueJob(ctx, mdm.MoveDeviceJob{TenantID: t.ID, DeviceID: dev.ID, PolicyID: p.ID}, mdm.JobOptions{})
}
