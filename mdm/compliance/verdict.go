package compliance

import (
	"slices"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// VerdictOf decides the verdict on d from what its platform reported (its own word and
// reasons) and the rules it breaks now (failures, open at now):
//
//   - a removed device has none;
//   - non-compliant when the platform says so or a broken rule's grace period has passed;
//   - in grace while every broken rule is within its grace period, until the earliest end;
//   - compliant when the platform says so, or no rule is broken and at least one rule was
//     found met (results);
//   - unknown otherwise: a device is not judged on what nobody could tell.
func VerdictOf(d mdm.Device, results []RuleResult, failures []Failure, now time.Time) mdm.Verdict {
	if d.State == mdm.DeviceRemoved {
		return mdm.Verdict{}
	}
	failures = slices.SortedFunc(slices.Values(failures), func(a, b Failure) int {
		return slices.Index(Rules, a.Rule) - slices.Index(Rules, b.Rule)
	})
	var v mdm.Verdict
	due := false
	for _, f := range failures {
		v.Reasons = append(v.Reasons, f.Reason)
		due = due || !f.DueAt.After(now)
		if v.Until == nil || f.DueAt.Before(*v.Until) {
			until := f.DueAt
			v.Until = &until
		}
	}
	if d.ReportedCompliance == mdm.ComplianceNonCompliant && d.NonCompliance != "" {
		v.Reasons = append(v.Reasons, strings.Split(d.NonCompliance, "\n")...)
	}
	switch {
	case d.ReportedCompliance == mdm.ComplianceNonCompliant || due:
		v.State, v.Until = mdm.ComplianceNonCompliant, nil
	case len(failures) > 0:
		v.State = mdm.ComplianceInGrace
	case d.ReportedCompliance == mdm.ComplianceCompliant ||
		slices.ContainsFunc(results, func(r RuleResult) bool { return r.Finding == FindingMet }):
		v.State = mdm.ComplianceCompliant
	default:
		v.State = mdm.ComplianceUnknown
	}
	return v
}
