package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/siem"
)

// SIEM is the SIEM feed's view of the store: when each tenant's feed was on, and how far
// each sink has taken each tenant's trail.
type SIEM struct{ s *Store }

// SIEMOf opens the feed's tables on tx, a transaction or the store.
func SIEMOf(tx mdm.Store) SIEM { return SIEM{s: on(tx)} }

var _ siem.Store = SIEM{}

// The tables of the SIEM feed; their rows are the sub-domain's types.
const (
	siemPeriodsTable = "siem_periods"
	siemCursorsTable = "siem_cursors"
)

// Periods returns the tenant's periods, oldest first.
func (v SIEM) Periods(ctx context.Context, tenantID string) ([]siem.Period, error) {
	var out []siem.Period
	err := v.s.scoped(ctx, tenantID).Table(siemPeriodsTable).Order("from_seq").Find(&out).Error
	return out, translate(err)
}

// OpenPeriod stores a new period.
func (v SIEM) OpenPeriod(ctx context.Context, p *siem.Period) error {
	return translate(v.s.db.WithContext(ctx).Table(siemPeriodsTable).Create(p).Error)
}

// ClosePeriod ends the tenant's open period at toSeq; mdm.ErrNotFound when none is open.
func (v SIEM) ClosePeriod(ctx context.Context, tenantID string, toSeq int64, at time.Time) error {
	res := v.s.scoped(ctx, tenantID).Table(siemPeriodsTable).Where("to_seq IS NULL").
		Updates(map[string]any{"to_seq": toSeq, "to_at": at})
	return affectedOne(res)
}

// Cursor returns the sink's cursor of the tenant.
func (v SIEM) Cursor(ctx context.Context, tenantID, sink string) (siem.Cursor, error) {
	return first[siem.Cursor](v.s.scoped(ctx, tenantID).Table(siemCursorsTable).Where("sink = ?", sink))
}

// Cursors returns the tenant's cursors by sink name.
func (v SIEM) Cursors(ctx context.Context, tenantID string) ([]siem.Cursor, error) {
	var out []siem.Cursor
	err := v.s.scoped(ctx, tenantID).Table(siemCursorsTable).Order("sink").Find(&out).Error
	return out, translate(err)
}

// Claim makes runner the tenant's delivery to the sink until `until`, creating the
// cursor at its start if it has none, unless another runner holds it beyond now. It
// reports whether runner got it.
func (v SIEM) Claim(ctx context.Context, tenantID, sink, runner string, until, now time.Time) (bool, error) {
	res := v.s.db.WithContext(ctx).Exec(`INSERT INTO `+siemCursorsTable+` (tenant_id, sink, seq, runner, running_until, updated_at)
		VALUES (?, ?, 0, ?, ?, ?)
		ON CONFLICT (tenant_id, sink) DO UPDATE SET runner = excluded.runner, running_until = excluded.running_until
		WHERE `+siemCursorsTable+`.running_until IS NULL OR `+siemCursorsTable+`.running_until < ?`,
		tenantID, sink, runner, until.UTC(), now.UTC(), now.UTC())
	return res.RowsAffected == 1, translate(res.Error)
}

// Progress stores c, its runner's progress, and extends its hold until `until`; it
// reports false, storing nothing, when c.Runner no longer holds the cursor.
func (v SIEM) Progress(ctx context.Context, c *siem.Cursor, until time.Time) (bool, error) {
	res := v.s.scoped(ctx, c.TenantID).Table(siemCursorsTable).Where("sink = ? AND runner = ?", c.Sink, c.Runner).
		Updates(map[string]any{"seq": c.Seq, "failures": c.Failures, "last_error": c.LastError,
			"failing_since": c.FailingSince, "sent_at": c.SentAt, "running_until": until.UTC(), "updated_at": c.UpdatedAt})
	return res.RowsAffected == 1, translate(res.Error)
}

// Release ends runner's hold on the cursor.
func (v SIEM) Release(ctx context.Context, tenantID, sink, runner string) error {
	return translate(v.s.scoped(ctx, tenantID).Table(siemCursorsTable).Where("sink = ? AND runner = ?", sink, runner).
		Updates(map[string]any{"runner": "", "running_until": nil}).Error)
}

// Head returns the seq of the tenant's last event.
func (v SIEM) Head(ctx context.Context, tenantID string) (int64, error) {
	head, err := first[auditHead](v.s.db.WithContext(ctx).Where("tenant_id = ?", tenantID))
	return head.Seq, err
}

// LockHead returns the seq of the tenant's last event and locks the chain's head until
// the transaction ends, as appending an event does: no event is appended meanwhile.
func (v SIEM) LockHead(ctx context.Context, tenantID string) (int64, error) {
	head, err := first[auditHead](v.s.db.WithContext(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("tenant_id = ?", tenantID))
	return head.Seq, err
}

// Behind returns the tenants with events up to their head that a period covers and the
// sink has not taken, and whose delivery no runner holds beyond now.
func (v SIEM) Behind(ctx context.Context, sink string, now time.Time) ([]string, error) {
	var ids []string
	err := v.s.db.WithContext(ctx).Raw(`SELECT DISTINCT p.tenant_id FROM `+siemPeriodsTable+` p
		JOIN audit_heads h ON h.tenant_id = p.tenant_id
		LEFT JOIN `+siemCursorsTable+` c ON c.tenant_id = p.tenant_id AND c.sink = ?
		WHERE COALESCE(c.seq, 0) < COALESCE(p.to_seq, h.seq) AND COALESCE(c.seq, 0) < h.seq
		AND (c.running_until IS NULL OR c.running_until < ?)
		ORDER BY p.tenant_id`, sink, now.UTC()).Scan(&ids).Error
	return ids, translate(err)
}
