package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Event is one entry of a tenant's audit trail. Seq counts from 1 without gaps per
// tenant; PrevHash is the hash of the event before (32 zero bytes for the first) and Hash
// covers every other field, so that changing, removing, inserting or reordering events
// breaks the chain.
type Event struct {
	TenantID string
	Seq      int64
	At       time.Time
	Actor    string  // who: "cli:root", "admin:<id>", "system", "device:<id>"
	Action   Action  // what, from the catalogue
	Subject  string  // which row it concerns, as "kind:<id>" of a catalogued kind
	Details  Details // what else a reader needs, never a secret
	PrevHash []byte
	Hash     []byte
}

// Record is what a caller says about an event; the store adds the position in the chain
// and the hashes.
type Record struct {
	Actor   string
	Action  Action
	Subject string
	Details Details
}

// Details is the JSON object of an event's details in its compact form.
type Details string

// NoDetails is the details object of an event that needs none.
const NoDetails Details = "{}"

// Fields makes the details object of an event from a map of plain values. The values are
// the caller's own (names, identifiers, states), so encoding cannot fail.
func Fields(fields map[string]any) Details {
	if len(fields) == 0 {
		return NoDetails
	}
	b, _ := json.Marshal(fields)
	return Details(b)
}

// GenesisHash is the PrevHash of a tenant's first event.
var GenesisHash = make([]byte, sha256.Size)

// ComputeHash returns the hash of the event over its canonical encoding. The encoding is
// JSON of fixed field order; the time is in UTC with nanoseconds, which the store has
// already truncated to microseconds so that every database returns it unchanged.
func (e Event) ComputeHash() []byte {
	canonical := struct {
		Tenant  string `json:"tenant"`
		Seq     int64  `json:"seq"`
		At      string `json:"at"`
		Actor   string `json:"actor"`
		Action  string `json:"action"`
		Subject string `json:"subject"`
		Details string `json:"details"`
		Prev    string `json:"prev"`
	}{e.TenantID, e.Seq, e.At.UTC().Format(time.RFC3339Nano), e.Actor, string(e.Action), e.Subject,
		string(e.Details), hex.EncodeToString(e.PrevHash)}
	// Marshalling a struct of strings and an integer cannot fail.
	b, _ := json.Marshal(canonical)
	sum := sha256.Sum256(b)
	return sum[:]
}
