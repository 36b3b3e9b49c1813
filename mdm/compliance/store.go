package compliance

import (
	"context"
	"strings"
	"time"
)

// Failure is a rule a device breaks now: since when, why, what the employee can
// do, and when the consequences are due. A device that meets all its rules has no
// failures; a failure is removed when the device meets the rule again, so the table holds
// only the devices that are out of line.
type Failure struct {
	TenantID   string
	DeviceID   string
	Rule       Rule
	Since      time.Time
	DueAt      time.Time // when the consequences other than notify are carried out
	Reason     string
	Remedy     string
	NotifiedAt *time.Time
	ActedAt    *time.Time
	// Acted lists the consequences carried out after the grace period, comma-separated.
	Acted string
}

// ActedOn reports whether consequence c was carried out on the failure.
func (f Failure) ActedOn(c Consequence) bool {
	for _, a := range strings.Split(f.Acted, ",") {
		if a == string(c) {
			return true
		}
	}
	return false
}

// Change is one entry of a device's compliance history: the verdict of a rule
// changed. Only changes are kept, not every report, so the history stays small however
// often devices report.
type Change struct {
	TenantID string
	DeviceID string
	Rule     Rule
	At       time.Time
	Finding  Finding
	Reason   string
}

// Store keeps the compliance rules of work policies, what platforms reported about a
// device (its status, and the facts beyond it), the failures and their history.
type Store interface {
	StatusStore
	// SetRuleSettings replaces the work policy's rules.
	SetRuleSettings(ctx context.Context, tenantID, workPolicyID string, rules []RuleSetting, at time.Time) error
	// RuleSettings returns the rules of the work policies, by policy ID; a policy without
	// rules is left out. No IDs (nil) means every policy of the tenant.
	RuleSettings(ctx context.Context, tenantID string, workPolicyIDs []string) (map[string][]RuleSetting, error)
	// FailingPolicies returns the work policies whose devices have failures ("" for
	// devices without a policy of their own, which follow the default).
	FailingPolicies(ctx context.Context, tenantID string) ([]string, error)
	// DeviceFacts returns the stored facts of the devices, by device ID; a device without
	// facts is left out.
	DeviceFacts(ctx context.Context, tenantID string, deviceIDs []string) (map[string]Facts, error)
	// SetDeviceFacts stores the devices' facts, by device ID.
	SetDeviceFacts(ctx context.Context, tenantID string, facts map[string]Facts, at time.Time) error
	// Failures returns the failures of the devices.
	Failures(ctx context.Context, tenantID string, deviceIDs []string) ([]Failure, error)
	// AddFailures stores new failures; ErrConflict when one exists already.
	AddFailures(ctx context.Context, tenantID string, fs []Failure) error
	// RemoveFailure removes the device's failure of the rule.
	RemoveFailure(ctx context.Context, tenantID, deviceID string, rule Rule) error
	// DueFailures returns up to limit of the tenant's failures due at or before
	// `at` whose consequences were not carried out.
	DueFailures(ctx context.Context, tenantID string, at time.Time, limit int) ([]Failure, error)
	// SetActed records the consequences carried out on the failure that began
	// at since; ErrConflict when they were carried out, ErrNotFound when it is gone.
	SetActed(ctx context.Context, tenantID, deviceID string, rule Rule, since time.Time, acted string, at time.Time) error
	// SetNotified records that the employee was told about the failure that
	// began at since; ErrConflict when they were, ErrNotFound when it is gone.
	SetNotified(ctx context.Context, tenantID, deviceID string, rule Rule, since time.Time, at time.Time) error
	// AddChanges appends to the history.
	AddChanges(ctx context.Context, tenantID string, cs []Change) error
	// History returns the device's newest changes first, up to limit.
	History(ctx context.Context, tenantID, deviceID string, limit int) ([]Change, error)
}
