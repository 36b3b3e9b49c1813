package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// AppendCheckpoint stores a signed checkpoint of the tenant's chain in audit_checkpoints,
// which, like audit_events, refuses updates and deletes.
func (t Trail) AppendCheckpoint(ctx context.Context, tenantID string, c *audit.Checkpoint) error {
	if c.TenantID != tenantID {
		return fmt.Errorf("%w: a checkpoint of tenant %s cannot be stored for tenant %s", mdm.ErrInvalid, c.TenantID, tenantID)
	}
	if err := translate(t.s.db.WithContext(ctx).Table(checkpointsTable).Create(c).Error); err != nil {
		return fmt.Errorf("store audit checkpoint at event %d: %w", c.Seq, err)
	}
	return nil
}

// LatestCheckpoint returns the tenant's newest checkpoint at or before event seq.
func (t Trail) LatestCheckpoint(ctx context.Context, tenantID string, seq int64) (audit.Checkpoint, error) {
	return first[audit.Checkpoint](t.s.scoped(ctx, tenantID).Table(checkpointsTable).Where("seq <= ?", seq).Order("seq DESC"))
}

// AuditCheckpoints calls fn for the tenant's checkpoints in order.
func (t Trail) AuditCheckpoints(ctx context.Context, tenantID string, fn func(audit.Checkpoint) error) error {
	return walkBySeq(func() *gorm.DB { return t.s.scoped(ctx, tenantID).Table(checkpointsTable) }, 0,
		func(c audit.Checkpoint) int64 { return c.Seq }, fn)
}
