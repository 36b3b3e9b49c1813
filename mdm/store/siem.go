package store

import (
	"context"
	"time"

	"gorm.io/gorm"
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

// SaveCursor creates or replaces a cursor. Its seq never moves back: should two
// deliveries ever overlap, the one that finished first cannot undo the other's progress.
func (v SIEM) SaveCursor(ctx context.Context, c *siem.Cursor) error {
	err := v.s.db.WithContext(ctx).Table(siemCursorsTable).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "tenant_id"}, {Name: "sink"}},
		DoUpdates: clause.Assignments(map[string]any{
			"seq":           gorm.Expr("CASE WHEN excluded.seq > " + siemCursorsTable + ".seq THEN excluded.seq ELSE " + siemCursorsTable + ".seq END"),
			"failures":      gorm.Expr("excluded.failures"),
			"last_error":    gorm.Expr("excluded.last_error"),
			"failing_since": gorm.Expr("excluded.failing_since"),
			"sent_at":       gorm.Expr("COALESCE(excluded.sent_at, " + siemCursorsTable + ".sent_at)"),
			"updated_at":    gorm.Expr("excluded.updated_at"),
		}),
	}).Create(c).Error
	return translate(err)
}

// Head returns the seq of the tenant's last event.
func (v SIEM) Head(ctx context.Context, tenantID string) (int64, error) {
	head, err := first[auditHead](v.s.db.WithContext(ctx).Where("tenant_id = ?", tenantID))
	return head.Seq, err
}

// Behind returns the tenants with events up to their head that a period covers and the
// sink has not taken.
func (v SIEM) Behind(ctx context.Context, sink string) ([]string, error) {
	var ids []string
	err := v.s.db.WithContext(ctx).Raw(`SELECT DISTINCT p.tenant_id FROM `+siemPeriodsTable+` p
		JOIN audit_heads h ON h.tenant_id = p.tenant_id
		LEFT JOIN `+siemCursorsTable+` c ON c.tenant_id = p.tenant_id AND c.sink = ?
		WHERE COALESCE(c.seq, 0) < COALESCE(p.to_seq, h.seq) AND COALESCE(c.seq, 0) < h.seq
		ORDER BY p.tenant_id`, sink).Scan(&ids).Error
	return ids, translate(err)
}
