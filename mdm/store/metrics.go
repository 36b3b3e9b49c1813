package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/mdm/metrics"
)

// Metrics reads what the domain gauges of /metrics show (metrics.Sources). Each reading
// is a few queries whose cost does not grow with the devices: the device counts come from
// their delta rows, the commands and jobs still to do are read through the state, and the
// audit trail through its head rows.
type Metrics struct{ s *Store }

// Metrics returns the readings for the domain gauges.
func (s *Store) Metrics() Metrics { return Metrics{s: s} }

// Devices counts every tenant's devices by platform, state and compliance.
func (m Metrics) Devices(ctx context.Context) ([]metrics.DeviceCount, error) {
	tenants, err := m.s.Tenants().Tenants(ctx)
	if err != nil {
		return nil, err
	}
	var out []metrics.DeviceCount
	for _, t := range tenants {
		counts, err := m.s.Devices().DeviceCounts(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		for _, c := range counts {
			out = append(out, metrics.DeviceCount{Tenant: t.Name, Platform: string(c.Platform), State: string(c.State),
				Compliance: string(c.Compliance), Count: c.Count})
		}
	}
	return out, nil
}

// pendingCommandStates are the states of a command that no phone has answered yet.
var pendingCommandStates = []string{"queued", "sent"}

// Commands counts the commands not answered yet by state, with the oldest of each.
func (m Metrics) Commands(ctx context.Context) ([]metrics.PendingCommands, error) {
	// The IN term repeats the partial index's condition (migration 00090), so that SQLite
	// uses the index.
	pending := m.s.db.WithContext(ctx).Table("commands").Where("state IN ('queued', 'sent')")
	out := make([]metrics.PendingCommands, 0, len(pendingCommandStates))
	for _, state := range pendingCommandStates {
		p := metrics.PendingCommands{State: state}
		if err := pending.Session(&gorm.Session{}).Where("state = ?", state).Count(&p.Count).Error; err != nil {
			return nil, translate(err)
		}
		if p.Count > 0 {
			var oldest []time.Time
			if err := pending.Session(&gorm.Session{}).Where("state = ?", state).Order("created_at").Limit(1).Pluck("created_at", &oldest).Error; err != nil {
				return nil, translate(err)
			}
			if len(oldest) == 1 {
				p.Oldest = oldest[0]
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// openJobStates are the states of river's jobs that are not done with success. Completed
// jobs stay a day and would be most of the rows; their runs are counted as they happen
// (trennwand_job_runs_total).
var openJobStates = []string{"available", "scheduled", "pending", "running", "retryable", "cancelled", "discarded"}

// Jobs counts the background jobs that are not completed by kind and state, and says
// since when the longest-waiting job that is due has been waiting.
func (m Metrics) Jobs(ctx context.Context) ([]metrics.JobCount, time.Time, error) {
	db := m.s.db.WithContext(ctx)
	var counts []metrics.JobCount
	if err := db.Table("river_job").Select("kind, state, COUNT(*) AS count").Where("state IN ?", openJobStates).
		Group("kind, state").Scan(&counts).Error; err != nil {
		return nil, time.Time{}, translate(err)
	}
	// ORDER BY with LIMIT rather than MIN keeps the column's type on SQLite, so that the
	// driver reads it as a time.
	var oldest []time.Time
	if err := db.Table("river_job").Where("state = ?", "available").Order("scheduled_at").Limit(1).Pluck("scheduled_at", &oldest).Error; err != nil {
		return nil, time.Time{}, translate(err)
	}
	var since time.Time
	if len(oldest) == 1 {
		since = oldest[0]
	}
	return counts, since, nil
}

// Audit reads each tenant's audit trail: its length from the head row, its last
// checkpoint and its newest event, each found through a primary key.
func (m Metrics) Audit(ctx context.Context) ([]metrics.AuditChain, error) {
	var rows []struct {
		TenantID      string
		Name          string
		Seq           int64
		CheckpointSeq int64
	}
	err := m.s.db.WithContext(ctx).Raw(`SELECT h.tenant_id, t.name, h.seq,
		COALESCE((SELECT MAX(c.seq) FROM audit_checkpoints c WHERE c.tenant_id = h.tenant_id), 0) AS checkpoint_seq
		FROM audit_heads h JOIN tenants t ON t.id = h.tenant_id`).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make([]metrics.AuditChain, 0, len(rows))
	for _, r := range rows {
		c := metrics.AuditChain{Tenant: r.Name, Length: r.Seq, CheckpointSeq: r.CheckpointSeq}
		id := r.TenantID
		var at []time.Time
		if r.CheckpointSeq > 0 {
			if err := m.s.db.WithContext(ctx).Table("audit_checkpoints").Where("tenant_id = ? AND seq = ?", id, r.CheckpointSeq).Pluck("at", &at).Error; err != nil {
				return nil, translate(err)
			}
			if len(at) == 1 {
				c.CheckpointAt = at[0]
			}
		}
		at = nil
		if err := m.s.db.WithContext(ctx).Table("audit_events").Where("tenant_id = ? AND seq = ?", id, r.Seq).Pluck("at", &at).Error; err != nil {
			return nil, translate(err)
		}
		if len(at) == 1 {
			c.LastEventAt = at[0]
		}
		out = append(out, c)
	}
	return out, nil
}
