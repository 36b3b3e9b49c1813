package mdm

import (
	"slices"
	"testing"
	"time"
)

// The one verdict, from the platform's word and the rules a device breaks now.
func TestVerdictOf(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	later, earlier := now.AddDate(0, 0, 3), now.AddDate(0, 0, -1)
	patch := ComplianceFailure{Rule: RulePatchAge, Reason: "old patch", DueAt: now.AddDate(0, 0, 5)}
	passcode := ComplianceFailure{Rule: RuleWorkPasscode, Reason: "no passcode", DueAt: later}
	overdue := ComplianceFailure{Rule: RuleAndroidVersion, Reason: "old Android", DueAt: earlier}
	met := []RuleResult{{Rule: RulePatchAge, Finding: FindingMet}}
	device := func(state DeviceState, reported Compliance, reasons string) Device {
		return Device{State: state, ReportedCompliance: reported, NonCompliance: reasons}
	}
	for _, c := range []struct {
		name     string
		d        Device
		results  []RuleResult
		failures []ComplianceFailure
		want     Verdict
	}{
		{"nothing known", device(DeviceActive, ComplianceUnknown, ""), nil, nil, Verdict{State: ComplianceUnknown}},
		{"the platform says compliant", device(DeviceActive, ComplianceCompliant, ""), nil, nil, Verdict{State: ComplianceCompliant}},
		{"every rule that could be checked is met", device(DeviceActive, ComplianceUnknown, ""), met, nil, Verdict{State: ComplianceCompliant}},
		{"broken rules within their grace, until the earliest", device(DeviceActive, ComplianceCompliant, ""), nil,
			[]ComplianceFailure{passcode, patch}, Verdict{State: ComplianceInGrace, Until: &later, Reasons: []string{"old patch", "no passcode"}}},
		{"a grace period has passed", device(DeviceActive, ComplianceCompliant, ""), nil,
			[]ComplianceFailure{patch, overdue}, Verdict{State: ComplianceNonCompliant, Reasons: []string{"old Android", "old patch"}}},
		{"the platform says non-compliant", device(DeviceActive, ComplianceNonCompliant, "PASSWORD_POLICIES"), nil,
			[]ComplianceFailure{patch}, Verdict{State: ComplianceNonCompliant, Reasons: []string{"old patch", "PASSWORD_POLICIES"}}},
		{"a removed device has none", device(DeviceRemoved, ComplianceNonCompliant, "PASSWORD_POLICIES"), nil,
			[]ComplianceFailure{overdue}, Verdict{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := slices.Clone(c.failures)
			got := VerdictOf(c.d, c.results, c.failures, now)
			if !got.equal(c.want) {
				t.Errorf("verdict %+v, want %+v", got, c.want)
			}
			if !slices.Equal(before, c.failures) {
				t.Error("VerdictOf changed its input")
			}
		})
	}
}
