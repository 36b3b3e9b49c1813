package trail

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// AuditRetentionJob removes audit events older than their tenant's AuditRetentionYears.
// It runs periodically; running it twice removes nothing twice.
type AuditRetentionJob struct{}

// Kind names the job for the queue.
func (AuditRetentionJob) Kind() string { return "audit_retention" }

// RunAuditRetention carries out an AuditRetentionJob for every tenant.
func (s *Service) RunAuditRetention(ctx context.Context, _ AuditRetentionJob) error {
	_, err := s.PruneAuditTrails(ctx)
	return err
}

// PruneAuditTrails removes, for every tenant that keeps events for a limited number of
// years, the events older than that, and returns the prunes it made. A trail is cut only
// at a signed checkpoint, the newest at or before the last event due, so that the rest of
// the chain stays provable from a hash the CA signed; the events between that checkpoint
// and the cut-off stay until the next one.
func (s *Service) PruneAuditTrails(ctx context.Context) ([]mdm.AuditPrune, error) {
	if !s.signsCheckpoints() {
		return nil, errors.New("audit retention: the trail can be pruned only where checkpoints are signed, and no signer is configured")
	}
	tenants, err := s.Core.Tenants(ctx)
	if err != nil {
		return nil, err
	}
	var out []mdm.AuditPrune
	for _, t := range tenants {
		p, err := s.pruneTenantAudit(ctx, t)
		if err != nil {
			return out, fmt.Errorf("audit retention of %s: %w", t.Name, err)
		}
		if p != nil {
			out = append(out, *p)
		}
	}
	return out, nil
}

func (s *Service) pruneTenantAudit(ctx context.Context, t mdm.Tenant) (*mdm.AuditPrune, error) {
	years, err := s.retentionYears(ctx, t)
	if err != nil || years == 0 {
		return nil, err
	}
	var made *mdm.AuditPrune
	at := s.Settings.Now()
	err = s.DB.Atomic(ctx, func(tx mdm.Store) error {
		st := s.Tables(tx)
		cutoff := at.AddDate(-years, 0, 0)
		last, err := st.LastAuditSeqBefore(ctx, t.ID, cutoff)
		if err != nil || last == 0 {
			return err
		}
		cp, err := st.LatestCheckpoint(ctx, t.ID, last)
		if errors.Is(err, mdm.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		horizon, err := pruneHorizon(ctx, st, t.ID)
		if err != nil || cp.Seq <= horizon {
			return err
		}
		p := mdm.AuditPrune{TenantID: t.ID, UpToSeq: cp.Seq, Events: cp.Seq - horizon, Cutoff: cutoff, PrunedAt: at}
		_, err = tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: mdm.ActorSystem, Action: audit.AuditPrune, Subject: audit.Tenant.Of(t.ID),
			Details: audit.Fields(map[string]any{"up_to_seq": p.UpToSeq, "events": p.Events, "cutoff": cutoff,
				"checkpoint_hash": hex.EncodeToString(cp.Hash), "retention_years": years})})
		if err != nil {
			return err
		}
		if err := st.PruneAudit(ctx, t.ID, &p); err != nil {
			return err
		}
		made = &p
		return nil
	})
	if errors.Is(err, mdm.ErrConflict) {
		// Another replica made this prune while we were deciding: it is done once.
		return nil, nil
	}
	return made, err
}

// pruneHorizon returns the last event removed by a prune, 0 when none was.
func pruneHorizon(ctx context.Context, st Store, tenantID string) (int64, error) {
	ps, err := st.AuditPrunes(ctx, tenantID)
	if err != nil || len(ps) == 0 {
		return 0, err
	}
	return ps[len(ps)-1].UpToSeq, nil
}

// prunedUpTo returns the event an audit.prune event says the trail was pruned up to.
func prunedUpTo(e audit.Event) int64 {
	if e.Action != audit.AuditPrune {
		return 0
	}
	var d struct {
		UpToSeq int64 `json:"up_to_seq"`
	}
	if json.Unmarshal([]byte(e.Details), &d) != nil {
		return 0
	}
	return d.UpToSeq
}
