package audit

import (
	"encoding/hex"
	"encoding/json"
	"time"
)

// Checkpoint is a signed statement that a tenant's audit trail had the hash Hash at
// event Seq. The hash chain alone shows a changed event only as long as the head row is
// not rewritten too; someone who recomputes every hash after a change and rewrites the
// head would go unseen. A checkpoint after the change catches that: the rewritten chain no
// longer reaches the signed hash, and nobody without the signing key can sign a new one.
type Checkpoint struct {
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
func (c Checkpoint) Payload() []byte {
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

// Signer signs checkpoints; the CA implements it with a signing certificate it issued.
// It is called inside the transaction that appends the event, so it must not wait for the
// database.
type Signer interface {
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
