package trail

import (
	"context"
	"errors"
	"fmt"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// ChainReport is the result of verifying one tenant's audit trail.
type ChainReport struct {
	Tenant      mdm.Tenant
	Events      int64             // events verified before the first break, or all of them
	Checkpoints int64             // signed checkpoints that matched their events
	Break       *audit.ChainBreak // nil when the trail is intact
	// Pruned lists the removals of events after their retention period, oldest first;
	// Events counts only the events still there.
	Pruned []mdm.AuditPrune
}

// VerifyAudit walks the audit trail of every tenant and reports, per tenant, how many
// events were verified and the first break, if any.
func (s *Service) VerifyAudit(ctx context.Context) ([]ChainReport, error) {
	tenants, err := s.Core.Tenants(ctx)
	if err != nil {
		return nil, err
	}
	reports := make([]ChainReport, 0, len(tenants))
	for _, t := range tenants {
		r, err := s.VerifyTenantAudit(ctx, t)
		if err != nil {
			return nil, err
		}
		reports = append(reports, r)
	}
	return reports, nil
}

// VerifyTenantAudit walks one tenant's audit trail along its hash chain and its signed
// checkpoints.
func (s *Service) VerifyTenantAudit(ctx context.Context, t mdm.Tenant) (ChainReport, error) {
	st := s.Tables(s.DB)
	before, err := st.AuditHead(ctx, t.ID)
	if err != nil {
		return ChainReport{}, fmt.Errorf("read audit head of %s: %w", t.Name, err)
	}
	// Checkpoints are read before the events: each was written with its event, so the walk
	// that follows sees every event a checkpoint vouches for.
	cw, err := s.readCheckpoints(ctx, t)
	if err != nil {
		return ChainReport{}, fmt.Errorf("read audit checkpoints of %s: %w", t.Name, err)
	}
	pruned, err := st.AuditPrunes(ctx, t.ID)
	if err != nil {
		return ChainReport{}, fmt.Errorf("read audit prunes of %s: %w", t.Name, err)
	}
	v := audit.NewChainVerifier(t.ID)
	var start int64
	if len(pruned) > 0 {
		start = pruned[len(pruned)-1].UpToSeq
		if hash, b := cw.startAt(start); b == nil {
			v.StartAfter(start, hash)
		}
	}
	recorded := start == 0
	err = st.AuditEvents(ctx, t.ID, start, func(e audit.Event) error {
		if cw.broken != nil || v.Add(e) != nil || cw.Add(e) != nil {
			return errStopWalk
		}
		recorded = recorded || prunedUpTo(e) == start
		return nil
	})
	if err != nil && !errors.Is(err, errStopWalk) {
		return ChainReport{}, fmt.Errorf("read audit trail of %s: %w", t.Name, err)
	}
	after, err := st.AuditHead(ctx, t.ID)
	if err != nil {
		return ChainReport{}, fmt.Errorf("read audit head of %s: %w", t.Name, err)
	}
	r := ChainReport{Tenant: t, Events: v.Events(), Checkpoints: cw.Checkpoints(), Break: cw.broken, Pruned: pruned}
	if r.Break == nil {
		r.Break = v.Finish(before, after)
	}
	if r.Break == nil {
		r.Break = cw.Finish(v.Last())
	}
	if r.Break == nil && !recorded {
		r.Break = &audit.ChainBreak{TenantID: t.ID, Seq: start, Problem: fmt.Sprintf(
			"events up to %d were removed, and no %s event in the trail records that prune", start, audit.AuditPrune)}
	}
	// A checkpoint that does not match leaves the events unproven back to the last one that
	// did.
	if r.Break != nil && r.Break == cw.broken {
		r.Events = min(r.Events, max(0, r.Break.Seq-1-start))
	}
	return r, nil
}

// errStopWalk ends a walk over the audit trail early; it never leaves this file.
var errStopWalk = errors.New("stop walking the audit trail")
