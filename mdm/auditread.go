package mdm

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
)

// AuditFilter selects events of the audit trail: for a page, an export or the report on
// one employee. Zero fields select everything.
type AuditFilter struct {
	From, To time.Time // events with From <= At < To
	// EmployeeID selects the events whose subject or details name the employee, one of
	// their devices or one of their invitations.
	EmployeeID string
	// DeviceID selects the events whose subject or details name the device.
	DeviceID string
	// Actor selects the events of one actor, as events write it ("admin:<id>").
	Actor     string
	UpToSeq   int64 // events at or before this one
	AfterSeq  int64 // events after this one
	BeforeSeq int64 // events before this one: the next page of a listing newest first
	// Actions, when set, selects only events of these actions (audit.AccessActions: who
	// looked at whose data).
	Actions []audit.Action
}

// AuditPrune records that a tenant's audit events up to and including UpToSeq were
// removed after their retention period. The remaining trail starts after a signed
// checkpoint at UpToSeq, and an audit.prune event in it says the same, so that the
// verifier can tell a lawful prune from events that went missing.
type AuditPrune struct {
	TenantID string
	UpToSeq  int64
	Events   int64     // how many events this prune removed
	Cutoff   time.Time // events before this time were due
	PrunedAt time.Time
}

// AuditCursor marks the last event of a page of the audit trail listed newest first; the
// next page holds the events before it. Events are numbered without gaps and never
// change, so the position alone keeps pages stable while new events arrive.
type AuditCursor struct{ Seq int64 }

// String encodes the cursor for a client, who hands it back unchanged.
func (c AuditCursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte("seq." + strconv.FormatInt(c.Seq, 10)))
}

// ParseAuditCursor reads a cursor that a client hands back. The empty string is the
// first page.
func ParseAuditCursor(s string) (AuditCursor, error) {
	if s == "" {
		return AuditCursor{}, nil
	}
	bad := fmt.Errorf("%w: cursor %.40q is not one this server gave out", ErrInvalid, s)
	if len(s) > 40 {
		return AuditCursor{}, bad
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) < 5 || string(raw[:4]) != "seq." {
		return AuditCursor{}, bad
	}
	seq, err := strconv.ParseInt(string(raw[4:]), 10, 64)
	// Only the cursor's one spelling is taken: base64 that decodes alike with other
	// trailing bits, or a number with leading zeros, is not one this server gave out.
	c := AuditCursor{Seq: seq}
	if err != nil || seq < 1 || c.String() != s {
		return AuditCursor{}, bad
	}
	return c, nil
}

// IsID reports whether s has the form of an ID this server makes, so that an ID handed
// in from outside (a filter in an address) is checked before any query sees it.
func IsID(s string) bool { return validID(s) }
