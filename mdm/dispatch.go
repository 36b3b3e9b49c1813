package mdm

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrUnavailable marks a platform failure that may pass (the platform's API is
// overloaded or down): the job is tried again later. A command the platform refuses as
// invalid is marked failed instead.
var ErrUnavailable = errors.New("the platform is unavailable for now")

// The domain hands platform work to the drivers through jobs queued in the transaction of
// the change, so that a policy change or a command is carried out even if the server stops
// right after it.

// ApplyPolicyJob brings the platforms in line with a work policy at a version.
type ApplyPolicyJob struct {
	TenantID string `json:"tenant_id"`
	PolicyID string `json:"policy_id"`
	Version  int64  `json:"version"`
	// DeviceID, when set, narrows the job to the one device that has joined the policy
	// (see EnqueuePolicyForNewDevice): its cost then does not grow with the policy's devices.
	DeviceID string `json:"device_id,omitempty"`
	// Due was set on the jobs of new enrolments before they named their device (one job
	// per policy and second); such jobs, still queued after an upgrade, apply the whole
	// policy.
	Due time.Time `json:"due,omitzero"`
}

// Kind names the job's worker.
func (ApplyPolicyJob) Kind() string { return "mdm_apply_policy" }

// DeliverCommandJob hands a queued command to its device's platform.
type DeliverCommandJob struct {
	TenantID  string `json:"tenant_id"`
	CommandID string `json:"command_id"`
}

// Kind names the job's worker.
func (DeliverCommandJob) Kind() string { return "mdm_deliver_command" }

// EnqueuePolicy asks, in the transaction of a policy change, for the policy to be applied,
// once however often it changes before the job runs.
func EnqueuePolicy(ctx context.Context, tx Store, tenantID string, p WorkPolicy) error {
	return tx.EnqueueJob(ctx, ApplyPolicyJob{TenantID: tenantID, PolicyID: p.ID, Version: p.Version}, JobOptions{Unique: true})
}

// EnqueuePolicyForNewDevice asks, in the transaction that gives the device the policy
// (it enrolled with it, or moved to it), for the policy to be applied to that device
// alone. The job is queued in that transaction, so it runs only once the device's
// change has committed; it reads neither the policy's other devices nor their apps, so a
// policy that 100,000 phones follow costs the next phone no more than the first.
func EnqueuePolicyForNewDevice(ctx context.Context, tx Store, tenantID string, p WorkPolicy, deviceID string) error {
	return tx.EnqueueJob(ctx, ApplyPolicyJob{TenantID: tenantID, PolicyID: p.ID, Version: p.Version, DeviceID: deviceID}, JobOptions{})
}

// QueueCommand stores a command for a device and the job that delivers it.
func QueueCommand(ctx context.Context, tx Store, tenantID string, c *Command) error {
	if err := tx.Commands().CreateCommand(ctx, tenantID, c); err != nil {
		return fmt.Errorf("queue %s for device %s: %w", c.Kind, c.DeviceID, err)
	}
	return tx.EnqueueJob(ctx, DeliverCommandJob{TenantID: tenantID, CommandID: c.ID}, JobOptions{})
}

// Dispatcher carries out the domain's platform jobs through the drivers.
type Dispatcher struct {
	svc     *Service
	drivers map[Platform]Driver
}

// NewDispatcher returns a dispatcher for the drivers, one per platform.
func NewDispatcher(svc *Service, drivers ...Driver) *Dispatcher {
	d := &Dispatcher{svc: svc, drivers: make(map[Platform]Driver)}
	for _, dr := range drivers {
		d.drivers[dr.Platform()] = dr
	}
	return d
}

// Driver returns the driver of the platform; nil if there is none.
func (d *Dispatcher) Driver(p Platform) Driver { return d.drivers[p] }

// ApplyPolicy is the worker of ApplyPolicyJob: every platform gets the policy. A job for
// an older version than the stored one does nothing; the newer version's job follows.
func (d *Dispatcher) ApplyPolicy(ctx context.Context, job ApplyPolicyJob) error {
	st := d.svc.store
	t, err := st.Tenants().TenantByID(ctx, job.TenantID)
	if err != nil {
		return fmt.Errorf("apply policy %s: %w", job.PolicyID, err)
	}
	p, err := st.Policies().WorkPolicy(ctx, t.ID, job.PolicyID)
	if err != nil {
		return fmt.Errorf("apply policy %s: %w", job.PolicyID, err)
	}
	if p.Version > job.Version {
		return nil
	}
	if job.DeviceID != "" {
		return d.applyToDevice(ctx, t, p, job.DeviceID)
	}
	var errs []error
	for _, platform := range d.svc.registered() {
		if dr := d.drivers[platform]; dr != nil {
			if err := dr.ApplyPolicy(ctx, t, p); err != nil {
				errs = append(errs, fmt.Errorf("apply policy %q on %s: %w", p.Name, platform, err))
			}
		}
	}
	return errors.Join(errs...)
}

// applyToDevice brings the one device in line with the policy it has joined, through its
// platform's driver. A device that was removed, is not active (its enrolment will ask
// again) or has moved on to another policy (whose job follows) is left alone.
func (d *Dispatcher) applyToDevice(ctx context.Context, t Tenant, p WorkPolicy, deviceID string) error {
	dev, err := d.svc.store.Devices().Device(ctx, t.ID, deviceID)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("apply policy %s to device %s: %w", p.ID, deviceID, err)
	case dev.State != DeviceActive, dev.WorkPolicyID == nil, *dev.WorkPolicyID != p.ID:
		return nil
	}
	dr := d.drivers[dev.Platform]
	if dr == nil {
		return nil
	}
	if one, ok := dr.(DevicePolicyApplier); ok {
		err = one.ApplyPolicyToDevice(ctx, t, p, dev)
	} else {
		err = dr.ApplyPolicy(ctx, t, p)
	}
	if err != nil {
		return fmt.Errorf("apply policy %q to device %s on %s: %w", p.Name, dev.ID, dev.Platform, err)
	}
	return nil
}

// DeliverCommand is the worker of DeliverCommandJob. A command that is no longer queued
// has been handed over already and is left alone, so a repeated job sends nothing twice.
// A command the platform refuses as invalid is marked failed with the reason; other errors
// are retried.
func (d *Dispatcher) DeliverCommand(ctx context.Context, job DeliverCommandJob) error {
	st := d.svc.store
	c, err := st.Commands().Command(ctx, job.TenantID, job.CommandID)
	if err != nil {
		return fmt.Errorf("deliver command %s: %w", job.CommandID, err)
	}
	if c.State != CommandQueued {
		return nil
	}
	t, err := st.Tenants().TenantByID(ctx, job.TenantID)
	if err != nil {
		return fmt.Errorf("deliver command %s: %w", c.ID, err)
	}
	dev, err := st.Devices().Device(ctx, t.ID, c.DeviceID)
	if err != nil {
		return fmt.Errorf("deliver command %s: %w", c.ID, err)
	}
	dr := d.drivers[dev.Platform]
	if dr == nil {
		return d.fail(ctx, t.ID, c, fmt.Sprintf("no %s platform is configured", dev.Platform))
	}
	// The privacy matrix again, right before the platform is asked: whatever queued the
	// command, nothing the device's ownership forbids reaches its platform.
	if err := Allowed(dev.Ownership, d.svc.CapabilitiesOf(dev.Platform), c.Kind); err != nil {
		return d.fail(ctx, t.ID, c, err.Error())
	}
	if c.Kind == CommandRemoveWorkData {
		err = dr.RemoveWorkData(ctx, t, dev)
	} else {
		err = dr.SendCommand(ctx, t, dev, c)
	}
	if errors.Is(err, ErrUnavailable) {
		return fmt.Errorf("deliver %s to device %s: %w", c.Kind, dev.ID, err)
	} else if errors.Is(err, ErrInvalid) || errors.Is(err, ErrNotFound) {
		return d.fail(ctx, t.ID, c, err.Error())
	} else if err != nil {
		return fmt.Errorf("deliver %s to device %s: %w", c.Kind, dev.ID, err)
	}
	err = st.Commands().SetCommandState(ctx, t.ID, c.ID, CommandQueued, CommandSent, "", d.svc.clock())
	if errors.Is(err, ErrConflict) {
		return nil // the platform has recorded the outcome already
	}
	return err
}

func (d *Dispatcher) fail(ctx context.Context, tenantID string, c Command, reason string) error {
	err := d.svc.store.Commands().SetCommandState(ctx, tenantID, c.ID, CommandQueued, CommandError, reason, d.svc.clock())
	if errors.Is(err, ErrConflict) {
		return nil
	}
	return err
}

// FinishCommand records the device's answer to a command it was sent: acknowledged when
// errText is empty, failed with errText otherwise. A command that was not sent yet (the
// answer overtook the dispatcher's bookkeeping) is moved through sent first; an answer to
// a finished command changes nothing.
func (s *Service) FinishCommand(ctx context.Context, tenantID, commandID, errText string) error {
	var answered *Command
	err := s.atomic(ctx, func(tx Store, at time.Time) error {
		c, err := tx.Commands().Command(ctx, tenantID, commandID)
		if err != nil {
			return fmt.Errorf("command %s: %w", commandID, err)
		}
		if c.State.Finished() {
			return nil
		}
		if c.State == CommandQueued {
			if err := tx.Commands().SetCommandState(ctx, tenantID, c.ID, CommandQueued, CommandSent, "", at); err != nil {
				return err
			}
		}
		to := CommandAcknowledged
		if errText != "" {
			to = CommandError
		}
		answered = &c
		return tx.Commands().SetCommandState(ctx, tenantID, c.ID, CommandSent, to, errText, at)
	})
	if err == nil && answered != nil {
		s.countResult(ctx, *answered, errText != "")
	}
	return err
}

// countResult counts the answer to c for /metrics, once it is stored, under the platform
// of its device.
func (s *Service) countResult(ctx context.Context, c Command, failed bool) {
	if s.events == nil {
		return
	}
	platform := "unknown"
	if d, err := s.store.Devices().Device(ctx, c.TenantID, c.DeviceID); err == nil {
		platform = string(d.Platform)
	}
	s.events.CommandResult(platform, string(c.Kind), failed)
}

// MarkCommandSent records that the platform has taken the queued command.
func (s *Service) MarkCommandSent(ctx context.Context, tenantID, commandID string) error {
	return s.store.Commands().SetCommandState(ctx, tenantID, commandID, CommandQueued, CommandSent, "", s.clock())
}
