package trail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// RecentVerification is the state of the newest part of a tenant's trail: from its last
// signed checkpoint to its head. A page shows it on every view; the whole trail is
// verified by VerifyTenantAudit (`trennwand audit verify`), which takes time in
// proportion to the trail's length.
type RecentVerification struct {
	Head audit.ChainHead
	// Checkpoint is the newest signed checkpoint, its signature checked; nil when the
	// tenant has none, and the whole trail was walked instead.
	Checkpoint *audit.Checkpoint
	// Events is how many events were verified, from the checkpoint's event on.
	Events int64
	// Break is the first problem found; nil when the part verified is intact.
	Break *audit.ChainBreak
}

// VerifyRecent verifies the tenant's trail from its last signed checkpoint to its head:
// the checkpoint's signature, that its event still has the signed hash, and the hash
// chain from there on, so that a change since the checkpoint, or a rewrite of the
// events it vouches for, shows at once. It costs about the events of one checkpoint
// interval (audit.DefaultCheckpointEvents), however long the trail is.
func (s *Service) VerifyRecent(ctx context.Context, t mdm.Tenant) (RecentVerification, error) {
	st := s.Tables(s.DB)
	before, err := st.AuditHead(ctx, t.ID)
	if err != nil {
		return RecentVerification{}, fmt.Errorf("read audit head of %s: %w", t.Name, err)
	}
	r := RecentVerification{Head: before}
	fail := func(seq int64, format string, args ...any) (RecentVerification, error) {
		r.Break = &audit.ChainBreak{TenantID: t.ID, Seq: seq, Problem: fmt.Sprintf(format, args...)}
		return r, nil
	}
	v := audit.NewChainVerifier(t.ID)
	var from int64
	switch cp, err := st.LatestCheckpoint(ctx, t.ID, before.Seq); {
	case errors.Is(err, mdm.ErrNotFound):
	case err != nil:
		return RecentVerification{}, fmt.Errorf("read audit checkpoint of %s: %w", t.Name, err)
	case s.checkpoints.verifier == nil:
		return fail(cp.Seq, "the checkpoint at event %d cannot be checked: no verifier for its signature is configured", cp.Seq)
	default:
		if err := s.checkpoints.verifier.VerifyCheckpoint(cp.Payload(), cp.Signature, cp.SignerCert); err != nil {
			return fail(cp.Seq, "the checkpoint at event %d is not signed by the CA: %v", cp.Seq, err)
		}
		r.Checkpoint, from = &cp, cp.Seq-1
	}
	err = st.AuditEvents(ctx, t.ID, from, func(e audit.Event) error {
		if cp := r.Checkpoint; cp != nil && e.Seq == cp.Seq {
			if !bytes.Equal(e.ComputeHash(), e.Hash) || !bytes.Equal(e.Hash, cp.Hash) {
				r.Break = &audit.ChainBreak{TenantID: t.ID, Seq: e.Seq, Problem: fmt.Sprintf(
					"event %d no longer has the hash signed in its checkpoint of %s", e.Seq, cp.At.UTC().Format(time.RFC3339))}
				return errStopWalk
			}
			v.StartAfter(cp.Seq, cp.Hash)
			r.Events++
			return nil
		}
		if b := v.Add(e); b != nil {
			r.Break = b
			return errStopWalk
		}
		r.Events++
		return nil
	})
	if err != nil && !errors.Is(err, errStopWalk) {
		return RecentVerification{}, fmt.Errorf("read audit trail of %s: %w", t.Name, err)
	}
	if r.Break != nil {
		return r, nil
	}
	after, err := st.AuditHead(ctx, t.ID)
	if err != nil {
		return RecentVerification{}, fmt.Errorf("read audit head of %s: %w", t.Name, err)
	}
	if cp := r.Checkpoint; cp != nil && r.Events == 0 {
		return fail(cp.Seq, "event %d, for which a signed checkpoint vouches, is missing", cp.Seq)
	}
	r.Break = v.Finish(before, after)
	return r, nil
}
