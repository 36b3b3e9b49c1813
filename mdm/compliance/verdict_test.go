package compliance

import (
	"slices"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// The one verdict, from the platform's word and the rules a device breaks now.
func TestVerdictOf(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	later, earlier := now.AddDate(0, 0, 3), now.AddDate(0, 0, -1)
	patch := Failure{Rule: RulePatchAge, Reason: "old patch", DueAt: now.AddDate(0, 0, 5)}
	passcode := Failure{Rule: RuleWorkPasscode, Reason: "no passcode", DueAt: later}
	overdue := Failure{Rule: RuleAndroidVersion, Reason: "old Android", DueAt: earlier}
	met := []RuleResult{{Rule: RulePatchAge, Finding: FindingMet}}
	device := func(state mdm.DeviceState, reported mdm.Compliance, reasons string) mdm.Device {
		return mdm.Device{State: state, ReportedCompliance: reported, NonCompliance: reasons}
	}
	for _, c := range []struct {
		name     string
		d        mdm.Device
		results  []RuleResult
		failures []Failure
		want     mdm.Verdict
	}{
		{"nothing known", device(mdm.DeviceActive, mdm.ComplianceUnknown, ""), nil, nil, mdm.Verdict{State: mdm.ComplianceUnknown}},
		{"the platform says compliant", device(mdm.DeviceActive, mdm.ComplianceCompliant, ""), nil, nil, mdm.Verdict{State: mdm.ComplianceCompliant}},
		{"every rule that could be checked is met", device(mdm.DeviceActive, mdm.ComplianceUnknown, ""), met, nil, mdm.Verdict{State: mdm.ComplianceCompliant}},
		{"broken rules within their grace, until the earliest", device(mdm.DeviceActive, mdm.ComplianceCompliant, ""), nil,
			[]Failure{passcode, patch}, mdm.Verdict{State: mdm.ComplianceInGrace, Until: &later, Reasons: []string{"old patch", "no passcode"}}},
		{"a grace period has passed", device(mdm.DeviceActive, mdm.ComplianceCompliant, ""), nil,
			[]Failure{patch, overdue}, mdm.Verdict{State: mdm.ComplianceNonCompliant, Reasons: []string{"old Android", "old patch"}}},
		{"the platform says non-compliant", device(mdm.DeviceActive, mdm.ComplianceNonCompliant, "PASSWORD_POLICIES"), nil,
			[]Failure{patch}, mdm.Verdict{State: mdm.ComplianceNonCompliant, Reasons: []string{"old patch", "PASSWORD_POLICIES"}}},
		{"a removed device has none", device(mdm.DeviceRemoved, mdm.ComplianceNonCompliant, "PASSWORD_POLICIES"), nil,
			[]Failure{overdue}, mdm.Verdict{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := slices.Clone(c.failures)
			got := VerdictOf(c.d, c.results, c.failures, now)
			if !got.Equal(c.want) {
				t.Errorf("verdict %+v, want %+v", got, c.want)
			}
			if !slices.Equal(before, c.failures) {
				t.Error("VerdictOf changed its input")
			}
		})
	}
}
