package android

import (
	"context"
	"fmt"
	"time"
)

// The platform's background work runs on the durable job queue (mdm/jobs). Commands and
// policies travel in the domain's jobs (mdm.DeliverCommandJob, mdm.ApplyPolicyJob), which
// reach the platform as an mdm.Driver; the platform's own job is the periodic sync. A
// temporary AMAPI failure (ErrTemporary, an mdm.ErrUnavailable) is tried again with the
// queue's back-off; any other failure is final.

// SyncDevicesJob syncs the devices of every bound tenant with devices.list.
type SyncDevicesJob struct{}

// Kind names the job.
func (SyncDevicesJob) Kind() string { return "android.sync_devices" }

// SyncInterval is how often the devices are synced with devices.list.
const SyncInterval = 15 * time.Minute

// WorkSync carries out a SyncDevicesJob.
func (p *Platform) WorkSync(ctx context.Context, _ SyncDevicesJob) error {
	return p.SyncAll(ctx)
}

// SyncAll syncs the devices of every tenant that is bound to an Android enterprise, and
// forgets sign-ups that were never completed.
func (p *Platform) SyncAll(ctx context.Context) error {
	if err := p.db.WithContext(ctx).Where("created_at < ?", now().Add(-signupLifetime)).Delete(&signup{}).Error; err != nil {
		return fmt.Errorf("forget old sign-ups: %w", err)
	}
	var bound []enterprise
	if err := p.db.WithContext(ctx).Find(&bound).Error; err != nil {
		return fmt.Errorf("list Android bindings: %w", err)
	}
	for _, b := range bound {
		t, err := p.svc.TenantByID(ctx, b.TenantID)
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
