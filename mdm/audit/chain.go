package audit

import (
	"bytes"
	"fmt"
)

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
func (v *ChainVerifier) Add(e Event) *ChainBreak {
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

// Last returns the sequence number of the last event verified.
func (v *ChainVerifier) Last() int64 { return v.nextSeq - 1 }
