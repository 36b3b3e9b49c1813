package mdm

import (
	"context"
	"errors"
	"fmt"
)

// ErrUnavailable marks a platform failure that may pass (the platform's API is
// overloaded or down): the job queue tries the job again later. Any other failure of a
// platform job is final.
var ErrUnavailable = errors.New("the platform is unavailable for now")

// Drivers are the platforms' drivers, by platform.
type Drivers map[Platform]Driver

// SendCommandJob delivers one queued command through its device's platform. It is queued
// in the transaction that queues the command.
type SendCommandJob struct {
	TenantID  string `json:"tenant_id"`
	DeviceID  string `json:"device_id"`
	CommandID string `json:"command_id"`
}

// Kind names the job.
func (SendCommandJob) Kind() string { return "command.send" }

// ApplyPolicyJob brings every platform's copy of a work policy in line with it. Whoever
// changes a work policy queues it in the transaction of the change.
type ApplyPolicyJob struct {
	TenantID     string `json:"tenant_id"`
	WorkPolicyID string `json:"work_policy_id"`
}

// Kind names the job.
func (ApplyPolicyJob) Kind() string { return "policy.apply" }

// SendQueuedCommand carries out a SendCommandJob: the command, if it is still queued, goes
// to its device's driver. A command or device that is gone needs nothing more.
func (s *Service) SendQueuedCommand(ctx context.Context, drivers Drivers, j SendCommandJob) error {
	d, err := s.store.Device(ctx, j.TenantID, j.DeviceID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("device %s: %w", j.DeviceID, err)
	}
	drv, ok := drivers[d.Platform]
	if !ok {
		return fmt.Errorf("%w: no driver for %s devices", ErrInvalid, d.Platform)
	}
	cmds, err := s.store.Commands(ctx, j.TenantID, d.ID)
	if err != nil {
		return fmt.Errorf("commands of device %s: %w", d.ID, err)
	}
	t, err := s.TenantByID(ctx, j.TenantID)
	if err != nil {
		return err
	}
	for _, c := range cmds {
		if c.ID == j.CommandID && c.State == CommandQueued {
			return drv.SendCommand(ctx, t, d, c)
		}
	}
	return nil
}

// ApplyPolicyEverywhere carries out an ApplyPolicyJob on every platform.
func (s *Service) ApplyPolicyEverywhere(ctx context.Context, drivers Drivers, j ApplyPolicyJob) error {
	p, err := s.store.WorkPolicy(ctx, j.TenantID, j.WorkPolicyID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("work policy %s: %w", j.WorkPolicyID, err)
	}
	t, err := s.TenantByID(ctx, j.TenantID)
	if err != nil {
		return err
	}
	var errs []error
	for _, drv := range drivers {
		if err := drv.ApplyPolicy(ctx, t, p); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", drv.Platform(), err))
		}
	}
	return errors.Join(errs...)
}

// TenantByID returns the tenant with the ID.
func (s *Service) TenantByID(ctx context.Context, id string) (Tenant, error) {
	ts, err := s.store.Tenants(ctx)
	if err != nil {
		return Tenant{}, err
	}
	for _, t := range ts {
		if t.ID == id {
			return t, nil
		}
	}
	return Tenant{}, fmt.Errorf("tenant %s: %w", id, ErrNotFound)
}
