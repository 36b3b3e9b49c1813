package trail

import (
	"context"
	"errors"
	"fmt"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// errPageFull stops a walk over the audit trail once a page is full.
var errPageFull = errors.New("page full")

// AuditPage returns up to limit of the tenant's events that f selects, after event
// afterSeq, oldest first. The next page starts after the last event's Seq.
func (s *Service) AuditPage(ctx context.Context, t mdm.Tenant, f mdm.AuditFilter, afterSeq int64, limit int) ([]audit.Event, error) {
	limit = mdm.Page{Limit: limit}.Normalized().Limit
	f.AfterSeq = afterSeq
	var out []audit.Event
	err := s.Tables(s.DB).FilteredAuditEvents(ctx, t.ID, f, func(e audit.Event) error {
		out = append(out, e)
		if len(out) == limit {
			return errPageFull
		}
		return nil
	})
	if err != nil && !errors.Is(err, errPageFull) {
		return nil, fmt.Errorf("read the audit trail of %s: %w", t.Name, err)
	}
	return out, nil
}

// LatestAuditPage returns up to limit of the tenant's events that f selects, newest
// first, starting before the cursor, and the cursor of the next page (nil on the last).
func (s *Service) LatestAuditPage(ctx context.Context, t mdm.Tenant, f mdm.AuditFilter, after mdm.AuditCursor, limit int) ([]audit.Event, *mdm.AuditCursor, error) {
	limit = mdm.Page{Limit: limit}.Normalized().Limit
	f.BeforeSeq = after.Seq
	// One more than asked tells whether a next page exists without a second query.
	events, err := s.Tables(s.DB).LatestAuditEvents(ctx, t.ID, f, limit+1)
	if err != nil {
		return nil, nil, fmt.Errorf("read the audit trail of %s: %w", t.Name, err)
	}
	if len(events) <= limit {
		return events, nil, nil
	}
	events = events[:limit]
	return events, &mdm.AuditCursor{Seq: events[limit-1].Seq}, nil
}

// AuditHead returns the position and hash of the tenant's last audit event.
func (s *Service) AuditHead(ctx context.Context, tenantID string) (audit.ChainHead, error) {
	return s.Tables(s.DB).AuditHead(ctx, tenantID)
}
