package mdm

import (
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
	UpToSeq    int64 // events at or before this one
	AfterSeq   int64 // events after this one
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
