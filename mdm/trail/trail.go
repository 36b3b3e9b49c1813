// Package trail is the audit trail's service: it reads a tenant's events page by page,
// verifies the hash chain against the signed checkpoints, makes those checkpoints as
// events are appended, prepares and records exports, and removes events after their
// retention period (the only way an event ever leaves the trail).
//
// It owns the tables audit_checkpoints and audit_prunes and reads audit_events; appending
// an event stays with the transaction (mdm.Store.AppendAudit), since every sub-domain
// records its changes there. What an event is, its catalogue and its hash chain are
// mdm/audit's.
package trail

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// Store is what the trail keeps: it reads events and never changes one, and it removes
// events only by recording a prune.
type Store interface {
	// AuditEvents calls fn for the tenant's events in order of sequence, starting after
	// afterSeq, without holding them all in memory.
	AuditEvents(ctx context.Context, tenantID string, afterSeq int64, fn func(audit.Event) error) error
	// FilteredAuditEvents calls fn for the tenant's events that f selects, in order of
	// sequence, without holding them all in memory.
	FilteredAuditEvents(ctx context.Context, tenantID string, f mdm.AuditFilter, fn func(audit.Event) error) error
	// LatestAuditEvents returns up to limit of the tenant's events that f selects, newest
	// first.
	LatestAuditEvents(ctx context.Context, tenantID string, f mdm.AuditFilter, limit int) ([]audit.Event, error)
	// AuditHead returns the position and hash of the tenant's last event.
	AuditHead(ctx context.Context, tenantID string) (audit.ChainHead, error)

	// AppendCheckpoint stores a signed checkpoint of the tenant's chain. Like events,
	// checkpoints are never changed or removed.
	AppendCheckpoint(ctx context.Context, tenantID string, c *audit.Checkpoint) error
	// LatestCheckpoint returns the tenant's newest checkpoint at or before event seq;
	// mdm.ErrNotFound when there is none.
	LatestCheckpoint(ctx context.Context, tenantID string, seq int64) (audit.Checkpoint, error)
	// AuditCheckpoints calls fn for the tenant's checkpoints in order of sequence.
	AuditCheckpoints(ctx context.Context, tenantID string, fn func(audit.Checkpoint) error) error

	// LastAuditSeqBefore returns the tenant's last event before `before`; 0 when none is.
	LastAuditSeqBefore(ctx context.Context, tenantID string, before time.Time) (int64, error)
	// AuditPrunes returns the tenant's prunes, oldest first.
	AuditPrunes(ctx context.Context, tenantID string) ([]mdm.AuditPrune, error)
	// PruneAudit records p and deletes the tenant's events up to p.UpToSeq; mdm.ErrConflict
	// when that prune was recorded already.
	PruneAudit(ctx context.Context, tenantID string, p *mdm.AuditPrune) error
}

// Service reads, verifies, checkpoints, exports and prunes the audit trail.
type Service struct {
	mdm.Domain[Store]
	checkpoints checkpointConfig
	// retention, when set, tells how long a tenant keeps its events.
	retention Retention
	// accounts, when set, names administrators and API tokens for Describe.
	accounts Accounts
}

// Retention tells the trail how many years a tenant keeps its events (0: for ever). The
// tenant's data-protection settings own the number; they sit above the trail, so
// domain.New hands them to it with UseRetention.
type Retention interface {
	AuditRetentionYears(ctx context.Context, t mdm.Tenant) (int, error)
}

// UseRetention makes pruning follow r; without it events are kept for ever.
func (s *Service) UseRetention(r Retention) { s.retention = r }

// retentionYears is how many years the tenant keeps its events; 0 keeps them for ever.
func (s *Service) retentionYears(ctx context.Context, t mdm.Tenant) (int, error) {
	if s.retention == nil {
		return 0, nil
	}
	return s.retention.AuditRetentionYears(ctx, t)
}

// Option configures a Service.
type Option func(*Service)

// New returns the trail's service on db, whose tables tables gives inside and outside a
// transaction. With a signer (WithAuditSigner), it makes its checkpoints in the hook that
// the store runs for every appended event, so that an event a platform appends in a
// transaction of its own tables is checkpointed like any other.
func New(core *mdm.Service, db mdm.Store, tables func(tx mdm.Store) Store, opts ...Option) *Service {
	s := &Service{Domain: mdm.NewDomain(core, db, tables),
		checkpoints: checkpointConfig{events: audit.DefaultCheckpointEvents, age: audit.DefaultCheckpointAge}}
	for _, o := range opts {
		o(s)
	}
	if s.signsCheckpoints() {
		db.OnAuditAppended(s.checkpoint)
	}
	return s
}
