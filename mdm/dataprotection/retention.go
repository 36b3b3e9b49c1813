package dataprotection

import (
	"context"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// DeviceRetentionJob deletes the data of devices removed longer ago than their tenant's
// retention period. It runs periodically; running it twice deletes nothing twice.
type DeviceRetentionJob struct{}

// Kind names the job for the queue.
func (DeviceRetentionJob) Kind() string { return "device_retention" }

// retentionBatch is how many devices one transaction deletes: large enough that a backlog
// of a hundred thousand goes quickly, small enough that the lock on the chain head is not
// held for long.
const retentionBatch = 500

// RunDeviceRetention carries out a DeviceRetentionJob for every tenant.
func (s *Service) RunDeviceRetention(ctx context.Context, _ DeviceRetentionJob) error {
	_, err := s.PurgeRemovedDevices(ctx)
	return err
}

// PurgeRemovedDevices deletes, for every tenant, the rows of devices that were removed
// more than the tenant's DeviceRetentionDays ago, and returns how many. Each deletion
// leaves a device.delete event in the audit trail, in the transaction that deletes the row
// and in which the platforms forget the device (Registration.Forgetter); the event keeps the device's ID and platform and when it was removed, nothing personal.
func (s *Service) PurgeRemovedDevices(ctx context.Context) (int, error) {
	tenants, err := s.DB.Tenants().Tenants(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, t := range tenants {
		n, err := s.purgeTenantDevices(ctx, t)
		total += n
		if err != nil {
			return total, fmt.Errorf("device retention of %s: %w", t.Name, err)
		}
	}
	return total, nil
}

func (s *Service) purgeTenantDevices(ctx context.Context, t mdm.Tenant) (int, error) {
	dp, err := s.TenantDataProtection(ctx, t)
	if err != nil {
		return 0, err
	}
	total := 0
	for {
		n := 0
		err := s.Atomic(ctx, func(tx mdm.Store, at time.Time) error {
			before := at.AddDate(0, 0, -dp.DeviceRetentionDays)
			ds, err := s.Tables(tx).ExpiredDevices(ctx, t.ID, before, retentionBatch)
			if err != nil || len(ds) == 0 {
				return err
			}
			ids := make([]string, len(ds))
			for i, d := range ds {
				ids[i] = d.ID
			}
			if err := s.Core.ForgetDevices(ctx, tx, t.ID, ds); err != nil {
				return fmt.Errorf("platforms forget expired devices: %w", err)
			}
			deleted, err := s.Tables(tx).DeleteDevices(ctx, t.ID, ids)
			if err != nil {
				return err
			}
			if deleted != int64(len(ds)) {
				return fmt.Errorf("deleted %d of %d expired devices; retrying", deleted, len(ds))
			}
			for _, d := range ds {
				_, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: mdm.ActorSystem, Action: audit.DeviceDelete, Subject: audit.Device.Of(d.ID),
					Details: audit.Fields(map[string]any{"platform": d.Platform, "employee": d.EmployeeID,
						"removed_at": d.UpdatedAt, "retention_days": dp.DeviceRetentionDays})})
				if err != nil {
					return err
				}
			}
			n = len(ds)
			return nil
		})
		total += n
		if err != nil || n < retentionBatch {
			return total, err
		}
	}
}
