package overview

import (
	"context"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// SnapshotJob counts every tenant's devices by verdict and keeps the counts as the day's;
// it recounts the enrolments of each of the last Days days and the OS versions of the
// active devices. It runs every SnapshotEvery; a run replaces the same day's earlier
// counts, so the last run of a day is what the day keeps, and a day missed while the
// server was down has no verdicts rather than guessed ones.
type SnapshotJob struct{}

// Kind names the job for the queue.
func (SnapshotJob) Kind() string { return "overview_compliance_snapshot" }

// SnapshotEvery is how often the snapshot is taken. An hour keeps the last hour of a day
// in its row even when the server stops in the evening.
const SnapshotEvery = time.Hour

// RunSnapshot carries out a SnapshotJob.
func (s *Service) RunSnapshot(ctx context.Context, _ SnapshotJob) error {
	return s.Snapshot(ctx)
}

// Snapshot stores today's counts of the verdicts of every tenant's devices.
func (s *Service) Snapshot(ctx context.Context) error {
	tenants, err := s.Core.Tenants(ctx)
	if err != nil {
		return fmt.Errorf("compliance snapshot: %w", err)
	}
	for _, t := range tenants {
		if err := s.snapshot(ctx, t); err != nil {
			return fmt.Errorf("compliance snapshot of %s: %w", t.Name, err)
		}
	}
	return nil
}

// snapshot counts one tenant's figures and stores them together.
func (s *Service) snapshot(ctx context.Context, t mdm.Tenant) error {
	d, err := s.today(ctx, t)
	if err != nil {
		return err
	}
	tables := s.Tables(s.DB)
	first := firstDay(d.TakenAt)
	counted, err := tables.EnrolmentsPerDay(ctx, t.ID, first)
	if err != nil {
		return err
	}
	perDay := make(map[string]int64, len(counted))
	for _, c := range counted {
		perDay[c.Day] = c.Count
	}
	// Every day of the window is written, the empty ones too, so that a device deleted
	// since leaves no stale count behind.
	enrolments := make([]DayCount, Days)
	for i := range enrolments {
		day := day(first.AddDate(0, 0, i))
		enrolments[i] = DayCount{Day: day, Count: perDay[day]}
	}
	versions, err := tables.OSVersions(ctx, t.ID)
	if err != nil {
		return err
	}
	return s.Atomic(ctx, func(tx mdm.Store, _ time.Time) error {
		kept := s.Tables(tx)
		if err := kept.SetComplianceDay(ctx, d); err != nil {
			return err
		}
		if err := kept.SetEnrolmentDays(ctx, t.ID, enrolments); err != nil {
			return err
		}
		return kept.SetOSVersionCounts(ctx, t.ID, versions, d.TakenAt)
	})
}

// today counts the tenant's devices by verdict now, from the counts kept with the devices.
func (s *Service) today(ctx context.Context, t mdm.Tenant) (ComplianceDay, error) {
	counts, err := s.Core.DeviceCounts(ctx, t)
	if err != nil {
		return ComplianceDay{}, err
	}
	now := s.Settings.Now()
	return complianceOf(t.ID, day(now), now, counts), nil
}

// complianceOf sums device counts by verdict.
func complianceOf(tenantID, on string, at time.Time, counts []mdm.DeviceCount) ComplianceDay {
	d := ComplianceDay{TenantID: tenantID, Day: on, TakenAt: at}
	for _, c := range counts {
		switch c.Compliance {
		case mdm.ComplianceCompliant:
			d.Compliant += c.Count
		case mdm.ComplianceInGrace:
			d.InGrace += c.Count
		case mdm.ComplianceNonCompliant:
			d.NonCompliant += c.Count
		case mdm.ComplianceUnknown:
			d.Unknown += c.Count
		}
	}
	return d
}
