package audit

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// eventJSON is the one shape of an event outside the database: the export files, the
// JSON API and the Art. 15 report all write it, so an event reads the same wherever a
// data-protection officer finds it. It carries every field the hash covers, the time and
// the details exactly as hashed, so a reader can recompute the chain from it alone.
type eventJSON struct {
	TenantID string          `json:"tenant_id"`
	Seq      int64           `json:"seq"`
	At       string          `json:"at"`
	Actor    string          `json:"actor"`
	Action   Action          `json:"action"`
	Subject  string          `json:"subject"`
	Details  json.RawMessage `json:"details"`
	PrevHash string          `json:"prev_hash"`
	Hash     string          `json:"hash"`
}

func (e Event) shape() eventJSON {
	details := e.Details
	if details == "" {
		details = NoDetails
	}
	return eventJSON{TenantID: e.TenantID, Seq: e.Seq, At: e.At.UTC().Format(time.RFC3339Nano), Actor: e.Actor,
		Action: e.Action, Subject: e.Subject, Details: json.RawMessage(details),
		PrevHash: hex.EncodeToString(e.PrevHash), Hash: hex.EncodeToString(e.Hash)}
}

// MarshalJSON writes the event in its one shape. The details are written byte for byte
// as stored; the store keeps them HTML-escaped (see Normalize), so an encoder that
// escapes HTML writes the same bytes as one that does not.
func (e Event) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e.shape()); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// CSVHeader names the columns of an event as a CSV record, the fields of its JSON shape
// in order.
var CSVHeader = []string{"tenant_id", "seq", "at", "actor", "action", "subject", "details", "prev_hash", "hash"}

// CSV returns the event as a CSV record under CSVHeader.
func (e Event) CSV() []string {
	x := e.shape()
	return []string{x.TenantID, strconv.FormatInt(x.Seq, 10), x.At, x.Actor, string(x.Action), x.Subject,
		string(x.Details), x.PrevHash, x.Hash}
}

// Normalize returns details in the form the store keeps: compact, with <, > and & escaped
// as JSON allows, so that every JSON encoder writes them unchanged.
func Normalize(d Details) Details {
	if d == "" {
		return NoDetails
	}
	var b bytes.Buffer
	json.HTMLEscape(&b, []byte(d))
	return Details(b.String())
}

// UnmarshalJSON reads an event written in its one shape, such as a line of an export.
func (e *Event) UnmarshalJSON(b []byte) error {
	var x eventJSON
	if err := json.Unmarshal(b, &x); err != nil {
		return err
	}
	at, err := time.Parse(time.RFC3339Nano, x.At)
	if err != nil {
		return fmt.Errorf("audit event %d: time: %w", x.Seq, err)
	}
	prev, err := hex.DecodeString(x.PrevHash)
	if err != nil {
		return fmt.Errorf("audit event %d: prev_hash: %w", x.Seq, err)
	}
	hash, err := hex.DecodeString(x.Hash)
	if err != nil {
		return fmt.Errorf("audit event %d: hash: %w", x.Seq, err)
	}
	*e = Event{TenantID: x.TenantID, Seq: x.Seq, At: at, Actor: x.Actor, Action: x.Action, Subject: x.Subject,
		Details: Details(x.Details), PrevHash: prev, Hash: hash}
	return nil
}
