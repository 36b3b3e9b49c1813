package trail

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// WithAuditSigner makes the service sign checkpoints of the audit trail: when an event
// makes one due, the checkpoint is written in the same transaction as the event. Without
// it, events are appended without checkpoints.
func WithAuditSigner(signer audit.Signer) Option {
	return func(s *Service) { s.checkpoints.signer = signer }
}

// WithCheckpointVerifier lets VerifyAudit check the signatures of checkpoints. Without it,
// verifying a trail that has checkpoints is an error, never a silent pass.
func WithCheckpointVerifier(v audit.CheckpointVerifier) Option {
	return func(s *Service) { s.checkpoints.verifier = v }
}

// WithCheckpointInterval changes when checkpoints are due: every `events` events, or when
// the last checkpoint is `age` old.
func WithCheckpointInterval(events int64, age time.Duration) Option {
	return func(s *Service) { s.checkpoints.events, s.checkpoints.age = events, age }
}

// checkpointConfig is how a service makes and checks checkpoints.
type checkpointConfig struct {
	signer   audit.Signer
	verifier audit.CheckpointVerifier
	events   int64
	age      time.Duration
}

// signsCheckpoints reports whether the service signs checkpoints.
func (s *Service) signsCheckpoints() bool { return s.checkpoints.signer != nil }

// checkpoint signs and stores a checkpoint at e if one is due. It runs in the store's hook
// on every appended event; the caller holds the lock on the tenant's chain head, so two
// appends cannot both decide to make one.
func (s *Service) checkpoint(ctx context.Context, tx mdm.Store, e audit.Event) error {
	c, t := s.checkpoints, s.Tables(tx)
	last, err := t.LatestCheckpoint(ctx, e.TenantID, e.Seq)
	switch {
	case errors.Is(err, mdm.ErrNotFound):
		last = audit.Checkpoint{}
	case err != nil:
		return err
	case e.Seq-last.Seq < c.events && e.At.Sub(last.At) < c.age:
		return nil
	}
	cp := audit.Checkpoint{TenantID: e.TenantID, Seq: e.Seq, PrevSeq: last.Seq, Hash: e.Hash, At: e.At}
	if cp.Signature, cp.SignerCert, err = c.signer.SignCheckpoint(cp.Payload()); err != nil {
		return fmt.Errorf("checkpoint at audit event %d: sign: %w", e.Seq, err)
	}
	if err := t.AppendCheckpoint(ctx, e.TenantID, &cp); err != nil {
		return fmt.Errorf("checkpoint at audit event %d: %w", e.Seq, err)
	}
	return nil
}
