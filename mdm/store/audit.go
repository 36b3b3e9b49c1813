package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/trennwand/trennwand/mdm"
)

// AppendAudit adds an event at the end of the tenant's chain. It locks the chain's head
// row, so that concurrent appends, on any replica, queue and each links to the one before.
func (s *Store) AppendAudit(ctx context.Context, tenantID string, at time.Time, r mdm.AuditRecord) (mdm.AuditEvent, error) {
	if r.Actor == "" || r.Action == "" {
		return mdm.AuditEvent{}, errors.New("audit record needs an actor and an action")
	}
	var e mdm.AuditEvent
	err := s.atomic(ctx, func(tx *Store) error {
		var head auditHead
		err := tx.db.WithContext(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("tenant_id = ?", tenantID).Take(&head).Error
		if err != nil {
			return fmt.Errorf("audit head of tenant %s: %w", tenantID, translate(err))
		}
		e = mdm.AuditEvent{
			TenantID: tenantID, Seq: head.Seq + 1, At: at.UTC().Truncate(time.Microsecond),
			Actor: r.Actor, Action: r.Action, Subject: r.Subject, Details: r.Details,
			PrevHash: head.Hash,
		}
		if e.Details == "" {
			e.Details = mdm.EmptyJSONObject
		}
		e.Hash = e.ComputeHash()
		if err := tx.insert(ctx, &e); err != nil {
			return fmt.Errorf("append audit event: %w", err)
		}
		res := tx.db.WithContext(ctx).Model(&auditHead{}).Where("tenant_id = ? AND seq = ?", tenantID, head.Seq).
			Updates(map[string]any{"seq": e.Seq, "hash": e.Hash})
		return affectedOne(res)
	})
	return e, err
}

// AuditEvents calls fn for the tenant's events after afterSeq, in order, reading them in
// batches so that a long trail does not have to fit in memory.
func (s *Store) AuditEvents(ctx context.Context, tenantID string, afterSeq int64, fn func(mdm.AuditEvent) error) error {
	const batch = 1000
	for {
		var events []mdm.AuditEvent
		err := s.scoped(ctx, tenantID).Where("seq > ?", afterSeq).Order("seq").Limit(batch).Find(&events).Error
		if err != nil {
			return translate(err)
		}
		for _, e := range events {
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(events) < batch {
			return nil
		}
		afterSeq = events[len(events)-1].Seq
	}
}

// AuditHead returns the position and hash of the tenant's last event.
func (s *Store) AuditHead(ctx context.Context, tenantID string) (mdm.ChainHead, error) {
	head, err := first[auditHead](s.db.WithContext(ctx).Where("tenant_id = ?", tenantID))
	return mdm.ChainHead{Seq: head.Seq, Hash: head.Hash}, err
}
