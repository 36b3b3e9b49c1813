package trail

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// checkpointWalk compares a tenant's signed checkpoints with its events, fed in order of
// sequence beside a audit.ChainVerifier. The chain verifier finds a change that left the chain
// broken; the checkpoints find a change after which the whole chain, head included, was
// recomputed.
type checkpointWalk struct {
	tenantID string
	pending  []audit.Checkpoint         // not reached yet, in order
	problems map[int64]audit.ChainBreak // found before the walk, reported when it reaches them
	proven   int64                      // the last event a matching checkpoint vouches for
	matched  int64
	broken   *audit.ChainBreak
}

// readCheckpoints reads the tenant's checkpoints and checks what can be checked without the
// events: each signature, and that no checkpoint between two was removed.
func (s *Service) readCheckpoints(ctx context.Context, t mdm.Tenant) (*checkpointWalk, error) {
	w := &checkpointWalk{tenantID: t.ID, problems: map[int64]audit.ChainBreak{}}
	verifier := s.checkpoints.verifier
	var prev int64
	err := s.Tables(s.DB).AuditCheckpoints(ctx, t.ID, func(c audit.Checkpoint) error {
		if verifier == nil {
			return fmt.Errorf("the audit trail of %s has signed checkpoints, and no verifier for their signatures is configured", t.Name)
		}
		switch err := verifier.VerifyCheckpoint(c.Payload(), c.Signature, c.SignerCert); {
		case err != nil:
			w.problem(c.Seq, "the checkpoint at event %d is not signed by the CA: %v", c.Seq, err)
		case c.PrevSeq > prev:
			w.problem(c.PrevSeq, "the checkpoint at event %d was removed (the checkpoint at event %d names it as the one before)", c.PrevSeq, c.Seq)
		case c.PrevSeq < prev:
			w.problem(c.Seq, "the checkpoint at event %d does not follow the one at event %d", c.Seq, prev)
		}
		prev = c.Seq
		w.pending = append(w.pending, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

func (w *checkpointWalk) problem(seq int64, format string, args ...any) {
	if _, ok := w.problems[seq]; !ok {
		w.problems[seq] = audit.ChainBreak{TenantID: w.tenantID, Seq: seq, Problem: fmt.Sprintf(format, args...)}
	}
}

// Add checks the next event, which the chain verifier accepted, against the checkpoints at
// its position.
func (w *checkpointWalk) Add(e audit.Event) *audit.ChainBreak {
	if w.broken != nil {
		return w.broken
	}
	if b, ok := w.problems[e.Seq]; ok {
		w.broken = &b
		return w.broken
	}
	for len(w.pending) > 0 && w.pending[0].Seq == e.Seq {
		c := w.pending[0]
		w.pending = w.pending[1:]
		if !bytes.Equal(c.Hash, e.Hash) {
			w.broken = &audit.ChainBreak{TenantID: w.tenantID, Seq: w.proven + 1, Problem: fmt.Sprintf(
				"an event from %d to %d was changed and every hash after it recomputed: event %d no longer has the hash signed in its checkpoint of %s",
				w.proven+1, e.Seq, e.Seq, c.At.UTC().Format(time.RFC3339))}
			return w.broken
		}
		w.proven = e.Seq
		w.matched++
	}
	return nil
}

// Finish reports checkpoints beyond the last event: events were removed from the end and
// the recorded head moved back with them (or, if such a checkpoint is not validly signed,
// a checkpoint was forged).
func (w *checkpointWalk) Finish(last int64) *audit.ChainBreak {
	if w.broken != nil {
		return w.broken
	}
	if len(w.pending) == 0 {
		return nil
	}
	for _, c := range w.pending {
		if b, ok := w.problems[c.Seq]; ok {
			w.broken = &b
			return w.broken
		}
	}
	c := w.pending[len(w.pending)-1]
	w.broken = &audit.ChainBreak{TenantID: w.tenantID, Seq: last + 1, Problem: fmt.Sprintf(
		"events %d to %d are missing from the end of the trail: a signed checkpoint vouches for event %d", last+1, c.Seq, c.Seq)}
	return w.broken
}

// startAt begins the walk at a trail pruned up to event seq: the checkpoint at seq must
// be there and validly signed, and its hash is what the first remaining event follows.
// Checkpoints before it vouch for events that are gone and are not walked.
func (w *checkpointWalk) startAt(seq int64) ([]byte, *audit.ChainBreak) {
	for len(w.pending) > 0 && w.pending[0].Seq < seq {
		w.pending = w.pending[1:]
	}
	if b, ok := w.problems[seq]; ok {
		w.broken = &b
		return nil, w.broken
	}
	if len(w.pending) == 0 || w.pending[0].Seq != seq {
		w.broken = &audit.ChainBreak{TenantID: w.tenantID, Seq: seq + 1, Problem: fmt.Sprintf(
			"the trail was pruned up to event %d, and no signed checkpoint at event %d vouches for where it starts", seq, seq)}
		return nil, w.broken
	}
	c := w.pending[0]
	w.pending = w.pending[1:]
	w.proven = seq
	w.matched++
	return c.Hash, nil
}

// Checkpoints returns how many checkpoints matched their events.
func (w *checkpointWalk) Checkpoints() int64 { return w.matched }
