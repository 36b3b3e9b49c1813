package store

import (
	"context"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// LastAuditSeqBefore returns the tenant's last event before `before`, 0 when none is.
func (t Trail) LastAuditSeqBefore(ctx context.Context, tenantID string, before time.Time) (int64, error) {
	var seq *int64
	err := t.s.scoped(ctx, tenantID).Table(eventsTable).Where("at < ?", before.UTC()).
		Select("MAX(seq)").Scan(&seq).Error
	if err != nil || seq == nil {
		return 0, translate(err)
	}
	return *seq, nil
}

// AuditPrunes returns the tenant's prunes, oldest first.
func (t Trail) AuditPrunes(ctx context.Context, tenantID string) ([]mdm.AuditPrune, error) {
	var ps []mdm.AuditPrune
	err := t.s.scoped(ctx, tenantID).Order("up_to_seq").Find(&ps).Error
	return ps, translate(err)
}

// PruneAudit records the prune, which the database's append-only triggers look up, and
// then deletes the events it covers.
func (t Trail) PruneAudit(ctx context.Context, tenantID string, p *mdm.AuditPrune) error {
	p.TenantID = tenantID
	if err := t.s.insert(ctx, p); err != nil {
		return fmt.Errorf("record audit prune up to event %d: %w", p.UpToSeq, err)
	}
	err := t.s.scoped(ctx, tenantID).Table(eventsTable).Where("seq <= ?", p.UpToSeq).Delete(&audit.Event{}).Error
	if err != nil {
		return fmt.Errorf("delete audit events up to %d: %w", p.UpToSeq, translate(err))
	}
	return nil
}
