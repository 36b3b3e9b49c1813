package mdm

import (
	"context"
	"strings"
	"time"
)

// ComplianceFailure is a rule a device breaks now: since when, why, what the employee can
// do, and when the consequences are due. A device that meets all its rules has no
// failures; a failure is removed when the device meets the rule again, so the table holds
// only the devices that are out of line.
type ComplianceFailure struct {
	TenantID   string
	DeviceID   string
	Rule       ComplianceRule
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
func (f ComplianceFailure) ActedOn(c Consequence) bool {
	for _, a := range strings.Split(f.Acted, ",") {
		if a == string(c) {
			return true
		}
	}
	return false
}

// ComplianceChange is one entry of a device's compliance history: the verdict of a rule
// changed. Only changes are kept, not every report, so the history stays small however
// often devices report.
type ComplianceChange struct {
	TenantID string
	DeviceID string
	Rule     ComplianceRule
	At       time.Time
	Finding  Finding
	Reason   string
}

// ComplianceStore keeps the compliance rules of work policies, what platforms reported
// beyond a device's status, the failures and their history.
type ComplianceStore interface {
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
	DeviceFacts(ctx context.Context, tenantID string, deviceIDs []string) (map[string]ComplianceFacts, error)
	// SetDeviceFacts stores the devices' facts, by device ID.
	SetDeviceFacts(ctx context.Context, tenantID string, facts map[string]ComplianceFacts, at time.Time) error
	// ComplianceFailures returns the failures of the devices.
	ComplianceFailures(ctx context.Context, tenantID string, deviceIDs []string) ([]ComplianceFailure, error)
	// AddComplianceFailures stores new failures; ErrConflict when one exists already.
	AddComplianceFailures(ctx context.Context, tenantID string, fs []ComplianceFailure) error
	// RemoveComplianceFailure removes the device's failure of the rule.
	RemoveComplianceFailure(ctx context.Context, tenantID, deviceID string, rule ComplianceRule) error
	// DueComplianceFailures returns up to limit of the tenant's failures due at or before
	// `at` whose consequences were not carried out.
	DueComplianceFailures(ctx context.Context, tenantID string, at time.Time, limit int) ([]ComplianceFailure, error)
	// SetComplianceActed records the consequences carried out on the failure that began
	// at since; ErrConflict when they were carried out, ErrNotFound when it is gone.
	SetComplianceActed(ctx context.Context, tenantID, deviceID string, rule ComplianceRule, since time.Time, acted string, at time.Time) error
	// SetComplianceNotified records that the employee was told about the failure that
	// began at since; ErrConflict when they were, ErrNotFound when it is gone.
	SetComplianceNotified(ctx context.Context, tenantID, deviceID string, rule ComplianceRule, since time.Time, at time.Time) error
	// AddComplianceChanges appends to the history.
	AddComplianceChanges(ctx context.Context, tenantID string, cs []ComplianceChange) error
	// ComplianceHistory returns the device's newest changes first, up to limit.
	ComplianceHistory(ctx context.Context, tenantID, deviceID string, limit int) ([]ComplianceChange, error)
}
