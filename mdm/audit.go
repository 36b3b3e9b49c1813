package mdm

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// AuditEvent is one entry of a tenant's audit trail. Seq counts from 1 without gaps per
// tenant; PrevHash is the hash of the event before (32 zero bytes for the first) and Hash
// covers every other field, so that changing, removing, inserting or reordering events
// breaks the chain.
type AuditEvent struct {
	TenantID string
	Seq      int64
	At       time.Time
	Actor    string     // who: "cli:root", "admin:<id>", "system", "device:<id>"
	Action   string     // what, as "noun.verb": "invitation.create"
	Subject  string     // which row it concerns, as "kind:<id>"
	Details  JSONObject // what else a reader needs, never a secret
	PrevHash []byte
	Hash     []byte
}

// AuditRecord is what a caller says about an event; the store adds the position in the
// chain and the hashes.
type AuditRecord struct {
	Actor   string
	Action  string
	Subject string
	Details JSONObject
}

// GenesisHash is the PrevHash of a tenant's first event.
var GenesisHash = make([]byte, sha256.Size)

// ComputeHash returns the hash of the event over its canonical encoding. The encoding is
// JSON of fixed field order; the time is in UTC with nanoseconds, which the store has
// already truncated to microseconds so that every database returns it unchanged.
func (e AuditEvent) ComputeHash() []byte {
	canonical := struct {
		Tenant  string `json:"tenant"`
		Seq     int64  `json:"seq"`
		At      string `json:"at"`
		Actor   string `json:"actor"`
		Action  string `json:"action"`
		Subject string `json:"subject"`
		Details string `json:"details"`
		Prev    string `json:"prev"`
	}{e.TenantID, e.Seq, e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.Action, e.Subject,
		string(e.Details), hex.EncodeToString(e.PrevHash)}
	// Marshalling a struct of strings and an integer cannot fail.
	b, _ := json.Marshal(canonical)
	sum := sha256.Sum256(b)
	return sum[:]
}

// AuditDetails makes the details object of an audit event from a map of plain values.
// The values are the caller's own (names, identifiers, states), so encoding cannot fail.
func AuditDetails(fields map[string]any) JSONObject {
	if len(fields) == 0 {
		return EmptyJSONObject
	}
	b, _ := json.Marshal(fields)
	return JSONObject(b)
}

// ChainBreak describes the first place where a tenant's audit trail no longer matches
// its hash chain.
type ChainBreak struct {
	TenantID string `json:"tenant_id"`
	Seq      int64  `json:"seq"`
	Problem  string `json:"problem"`
}

func (b ChainBreak) Error() string {
	return fmt.Sprintf("audit trail of tenant %s broken at event %d: %s", b.TenantID, b.Seq, b.Problem)
}

// ChainVerifier checks one tenant's events, fed in the order of their sequence numbers.
// It stops at the first problem, because everything after it is no longer provable.
type ChainVerifier struct {
	tenantID string
	start    int64 // the last event pruned before the trail begins; 0 when none was
	nextSeq  int64
	prevHash []byte
	broken   *ChainBreak
}

// NewChainVerifier returns a verifier for the events of tenantID.
func NewChainVerifier(tenantID string) *ChainVerifier {
	return &ChainVerifier{tenantID: tenantID, nextSeq: 1, prevHash: GenesisHash}
}

// StartAfter makes the verifier expect a trail pruned up to event seq, whose first event
// follows the event of hash prevHash (taken from a signed checkpoint at seq).
func (v *ChainVerifier) StartAfter(seq int64, prevHash []byte) {
	v.start, v.nextSeq, v.prevHash = seq, seq+1, prevHash
}

// Add checks the next event and returns the first break found so far, if any.
func (v *ChainVerifier) Add(e AuditEvent) *ChainBreak {
	if v.broken != nil {
		return v.broken
	}
	fail := func(seq int64, format string, args ...any) *ChainBreak {
		v.broken = &ChainBreak{TenantID: v.tenantID, Seq: seq, Problem: fmt.Sprintf(format, args...)}
		return v.broken
	}
	ownHashOK := bytes.Equal(e.ComputeHash(), e.Hash)
	switch {
	case e.Seq > v.nextSeq:
		return fail(v.nextSeq, "event %d is missing (the next stored event is %d)", v.nextSeq, e.Seq)
	case e.Seq < v.nextSeq:
		return fail(e.Seq, "event %d appears twice or out of order", e.Seq)
	case !ownHashOK:
		return fail(e.Seq, "event %d was changed: its content does not match its hash", e.Seq)
	case !bytes.Equal(e.PrevHash, v.prevHash):
		return fail(e.Seq, "event %d does not follow event %d: an event was inserted, removed or reordered here", e.Seq, e.Seq-1)
	}
	v.nextSeq++
	v.prevHash = e.Hash
	return nil
}

// ChainHead is the position and hash of a tenant's last event, as the store records it
// beside the trail.
type ChainHead struct {
	Seq  int64
	Hash []byte
}

// Finish compares the end of the walked trail with the chain head the store records,
// read once before the walk and once after it. Events missing from the end, and events
// beyond the head that no append recorded, are found here; events appended while the walk
// ran lie between the two readings and are accepted.
func (v *ChainVerifier) Finish(before, after ChainHead) *ChainBreak {
	if v.broken != nil {
		return v.broken
	}
	last := v.nextSeq - 1
	fail := func(seq int64, format string, args ...any) *ChainBreak {
		v.broken = &ChainBreak{TenantID: v.tenantID, Seq: seq, Problem: fmt.Sprintf(format, args...)}
		return v.broken
	}
	switch {
	case last < before.Seq:
		return fail(last+1, "events %d to %d are missing from the end of the trail", last+1, before.Seq)
	case last > after.Seq:
		return fail(after.Seq+1, "event %d lies beyond the recorded end of the trail (%d): it was added outside trennwand", after.Seq+1, after.Seq)
	case last == before.Seq && !bytes.Equal(before.Hash, v.prevHash),
		last == after.Seq && !bytes.Equal(after.Hash, v.prevHash):
		return fail(last, "the recorded end of the trail does not match event %d", last)
	}
	return nil
}

// Events returns how many events were verified.
func (v *ChainVerifier) Events() int64 { return v.nextSeq - 1 - v.start }
