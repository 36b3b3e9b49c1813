package android

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/trennwand/trennwand/mdm"
)

// The platform's background work, as jobs of the durable queue (river). Each job is
// idempotent. A temporary AMAPI failure (429, 5xx, no answer) fails the attempt, and the
// queue tries again with its back-off; any other failure cancels the job, since trying
// again cannot help.
//
// Where they are enqueued:
//   - ApplyPolicyArgs: after every change of a work policy (mdm), in the transaction of
//     the change;
//   - SendCommandArgs: when a command for an Android device is queued, and by RemoveDevice;
//   - SyncDevicesArgs: periodically (PeriodicJobs), for every bound tenant.

// ApplyPolicyArgs applies one work policy to its AMAPI policy.
type ApplyPolicyArgs struct {
	TenantID     string `json:"tenant_id"`
	WorkPolicyID string `json:"work_policy_id"`
}

// Kind names the job.
func (ApplyPolicyArgs) Kind() string { return "android.apply_policy" }

// SendCommandArgs sends one queued command of an Android device.
type SendCommandArgs struct {
	TenantID  string `json:"tenant_id"`
	DeviceID  string `json:"device_id"`
	CommandID string `json:"command_id"`
}

// Kind names the job.
func (SendCommandArgs) Kind() string { return "android.send_command" }

// SyncDevicesArgs syncs the devices of every bound tenant with devices.list.
type SyncDevicesArgs struct{}

// Kind names the job.
func (SyncDevicesArgs) Kind() string { return "android.sync_devices" }

// SyncInterval is how often the devices are synced with devices.list.
const SyncInterval = 15 * time.Minute

// AddWorkers registers the platform's workers with the queue.
func (p *Platform) AddWorkers(w *river.Workers) {
	river.AddWorker(w, &applyPolicyWorker{p: p})
	river.AddWorker(w, &sendCommandWorker{p: p})
	river.AddWorker(w, &syncDevicesWorker{p: p})
}

// PeriodicJobs are the platform's jobs that the queue runs on a schedule.
func (p *Platform) PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(SyncInterval),
		func() (river.JobArgs, *river.InsertOpts) { return SyncDevicesArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})}
}

// outcome turns a failure into what the queue should do: try again if it may pass, or
// give up.
func outcome(err error) error {
	if err == nil || Temporary(err) {
		return err
	}
	return river.JobCancel(err)
}

type applyPolicyWorker struct {
	river.WorkerDefaults[ApplyPolicyArgs]
	p *Platform
}

func (w *applyPolicyWorker) Work(ctx context.Context, job *river.Job[ApplyPolicyArgs]) error {
	t, err := w.p.tenant(ctx, job.Args.TenantID)
	if err != nil {
		return outcome(err)
	}
	wp, err := w.p.svc.Store().WorkPolicy(ctx, t.ID, job.Args.WorkPolicyID)
	if err != nil {
		return outcome(fmt.Errorf("work policy %s: %w", job.Args.WorkPolicyID, err))
	}
	return outcome(w.p.ApplyPolicy(ctx, t, wp))
}

type sendCommandWorker struct {
	river.WorkerDefaults[SendCommandArgs]
	p *Platform
}

func (w *sendCommandWorker) Work(ctx context.Context, job *river.Job[SendCommandArgs]) error {
	return outcome(w.p.sendQueued(ctx, job.Args))
}

// sendQueued sends the command that the job names, if it is still queued.
func (p *Platform) sendQueued(ctx context.Context, a SendCommandArgs) error {
	t, err := p.tenant(ctx, a.TenantID)
	if err != nil {
		return err
	}
	d, err := p.svc.Store().Device(ctx, t.ID, a.DeviceID)
	if err != nil {
		return fmt.Errorf("device %s: %w", a.DeviceID, err)
	}
	cmds, err := p.svc.Store().Commands(ctx, t.ID, d.ID)
	if err != nil {
		return err
	}
	for _, c := range cmds {
		if c.ID == a.CommandID && c.State == mdm.CommandQueued {
			return p.SendCommand(ctx, t, d, c)
		}
	}
	return nil
}

type syncDevicesWorker struct {
	river.WorkerDefaults[SyncDevicesArgs]
	p *Platform
}

func (w *syncDevicesWorker) Work(ctx context.Context, _ *river.Job[SyncDevicesArgs]) error {
	return outcome(w.p.SyncAll(ctx))
}

// SyncAll syncs the devices of every tenant that is bound to an Android enterprise.
func (p *Platform) SyncAll(ctx context.Context) error {
	var bound []enterprise
	if err := p.db.WithContext(ctx).Find(&bound).Error; err != nil {
		return fmt.Errorf("list Android bindings: %w", err)
	}
	for _, b := range bound {
		t, err := p.tenant(ctx, b.TenantID)
		if err != nil {
			return err
		}
		res, err := p.SyncDevices(ctx, t)
		if err != nil {
			return err
		}
		p.log.Info("Android devices synced", "tenant", t.Name, "enrolled", res.Enrolled, "updated", res.Updated, "removed", res.Removed)
	}
	return nil
}
