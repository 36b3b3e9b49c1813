package mdm

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// AuditCheckpoint is a signed statement that a tenant's audit trail had the hash Hash at
// event Seq. The hash chain alone shows a changed event only as long as the head row is
// not rewritten too; someone who recomputes every hash after a change and rewrites the
// head would go unseen. A checkpoint after the change catches that: the rewritten chain no
// longer reaches the signed hash, and nobody without the signing key can sign a new one.
type AuditCheckpoint struct {
	TenantID   string
	Seq        int64     // the event the checkpoint vouches for, with every event before it
	PrevSeq    int64     // the tenant's checkpoint before this one, 0 for the first
	Hash       []byte    // the hash of event Seq
	At         time.Time // the time of event Seq
	Signature  []byte    // detached CMS signature (DER) of Payload
	SignerCert []byte    // the certificate (DER) that made Signature
}

// checkpointPayloadType names what a checkpoint signature covers, so that it cannot be
// passed off as a signature over anything else the same key signs.
const checkpointPayloadType = "trennwand.audit-checkpoint.v1"

// Payload is what the signature covers: every field but the signature, as JSON of fixed
// field order. PrevSeq is part of it, so that removing a checkpoint is seen at the next.
func (c AuditCheckpoint) Payload() []byte {
	p := struct {
		Type    string `json:"type"`
		Tenant  string `json:"tenant"`
		Seq     int64  `json:"seq"`
		PrevSeq int64  `json:"prev_seq"`
		Hash    string `json:"hash"`
		At      string `json:"at"`
	}{checkpointPayloadType, c.TenantID, c.Seq, c.PrevSeq, hex.EncodeToString(c.Hash), c.At.UTC().Format(time.RFC3339Nano)}
	// Marshalling a struct of strings and integers cannot fail.
	b, _ := json.Marshal(p)
	return b
}

// AuditSigner signs checkpoints; the CA implements it with a signing certificate it issued.
// It is called inside the transaction that appends the event, so it must not wait for the
// database.
type AuditSigner interface {
	// SignCheckpoint returns a detached CMS signature of payload and the certificate (DER)
	// it was made with.
	SignCheckpoint(payload []byte) (sig, certDER []byte, err error)
}

// CheckpointVerifier checks a checkpoint's signature: intact, made with certDER, and
// certDER a signing certificate of the installation's CA.
type CheckpointVerifier interface {
	VerifyCheckpoint(payload, sig, certDER []byte) error
}

// A tenant's next checkpoint is due when this many events were appended since its last
// one, or when its last one is this old; a tenant without a checkpoint gets one with its
// next event.
const (
	DefaultCheckpointEvents = 100
	DefaultCheckpointAge    = time.Hour
)

// WithAuditSigner makes the service sign checkpoints of the audit trail: when an event
// makes one due, the checkpoint is written in the same transaction as the event. Without
// it, events are appended without checkpoints.
func WithAuditSigner(signer AuditSigner) Option {
	return func(s *Service) { checkpointsOf(s).signer = signer }
}

// WithCheckpointVerifier lets VerifyAudit check the signatures of checkpoints. Without it,
// verifying a trail that has checkpoints is an error, never a silent pass.
func WithCheckpointVerifier(v CheckpointVerifier) Option {
	return func(s *Service) { checkpointsOf(s).verifier = v }
}

// WithCheckpointInterval changes when checkpoints are due: every `events` events, or when
// the last checkpoint is `age` old.
func WithCheckpointInterval(events int64, age time.Duration) Option {
	return func(s *Service) {
		cfg := checkpointsOf(s)
		cfg.events, cfg.age = events, age
	}
}

// checkpointConfig is how a service makes and checks checkpoints.
type checkpointConfig struct {
	signer   AuditSigner
	verifier CheckpointVerifier
	events   int64
	age      time.Duration
}

// checkpointsOf returns the service's checkpoint configuration, making it on first use.
// Checkpoints are made in the store's hook on every appended event, so that an event that
// a platform appends in a transaction of its own tables is checkpointed like the
// service's own.
func checkpointsOf(s *Service) *checkpointConfig {
	if s.checkpoints == nil {
		s.checkpoints = &checkpointConfig{events: DefaultCheckpointEvents, age: DefaultCheckpointAge}
	}
	return s.checkpoints
}

// checkpointVerifier returns the verifier the service was given, if any.
func (s *Service) checkpointVerifier() CheckpointVerifier {
	if s.checkpoints != nil {
		return s.checkpoints.verifier
	}
	return nil
}

// signsCheckpoints reports whether the service signs checkpoints.
func (s *Service) signsCheckpoints() bool {
	return s.checkpoints != nil && s.checkpoints.signer != nil
}

// checkpoint signs and stores a checkpoint at e if one is due. The caller holds the lock
// on the tenant's chain head, so two appends cannot both decide to make one.
func (c *checkpointConfig) checkpoint(ctx context.Context, tx Store, e AuditEvent) error {
	if c.signer == nil {
		return nil
	}
	last, err := tx.LatestCheckpoint(ctx, e.TenantID, e.Seq)
	switch {
	case errors.Is(err, ErrNotFound):
		last = AuditCheckpoint{}
	case err != nil:
		return err
	case e.Seq-last.Seq < c.events && e.At.Sub(last.At) < c.age:
		return nil
	}
	cp := AuditCheckpoint{TenantID: e.TenantID, Seq: e.Seq, PrevSeq: last.Seq, Hash: e.Hash, At: e.At}
	if cp.Signature, cp.SignerCert, err = c.signer.SignCheckpoint(cp.Payload()); err != nil {
		return fmt.Errorf("checkpoint at audit event %d: sign: %w", e.Seq, err)
	}
	if err := tx.AppendCheckpoint(ctx, e.TenantID, &cp); err != nil {
		return fmt.Errorf("checkpoint at audit event %d: %w", e.Seq, err)
	}
	return nil
}
