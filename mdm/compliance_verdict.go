package mdm

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
)

// Verdict is a device's one compliance verdict: what the device list, the overview, the
// device page, the portal, the JSON API and the Art. 15 report all show. VerdictOf alone
// decides it; it is stored with the device (Device.Compliance, ComplianceUntil,
// ComplianceReasons), so that counts and filters read the same value.
type Verdict struct {
	// State is compliant, in grace, non-compliant or unknown; ComplianceNone for a removed
	// device.
	State Compliance
	// Until is, in grace, when the consequences of the earliest broken rule fall due.
	Until *time.Time
	// Reasons say why the device is in grace or non-compliant, one per broken rule and
	// per reason the platform reported.
	Reasons []string
}

// VerdictStore records verdicts.
type VerdictStore interface {
	// SetDeviceVerdicts records the verdicts of the tenant's devices, by device ID.
	SetDeviceVerdicts(ctx context.Context, tenantID string, verdicts map[string]Verdict) error
}

// VerdictOf decides the verdict on d from what its platform reported (its own word and
// reasons) and the rules it breaks now (failures, open at now):
//
//   - a removed device has none;
//   - non-compliant when the platform says so or a broken rule's grace period has passed;
//   - in grace while every broken rule is within its grace period, until the earliest end;
//   - compliant when the platform says so, or no rule is broken and at least one rule was
//     found met (results);
//   - unknown otherwise: a device is not judged on what nobody could tell.
func VerdictOf(d Device, results []RuleResult, failures []ComplianceFailure, now time.Time) Verdict {
	if d.State == DeviceRemoved {
		return Verdict{}
	}
	failures = slices.SortedFunc(slices.Values(failures), func(a, b ComplianceFailure) int {
		return slices.Index(ComplianceRules, a.Rule) - slices.Index(ComplianceRules, b.Rule)
	})
	var v Verdict
	due := false
	for _, f := range failures {
		v.Reasons = append(v.Reasons, f.Reason)
		due = due || !f.DueAt.After(now)
		if v.Until == nil || f.DueAt.Before(*v.Until) {
			until := f.DueAt
			v.Until = &until
		}
	}
	if d.ReportedCompliance == ComplianceNonCompliant && d.NonCompliance != "" {
		v.Reasons = append(v.Reasons, strings.Split(d.NonCompliance, "\n")...)
	}
	switch {
	case d.ReportedCompliance == ComplianceNonCompliant || due:
		v.State, v.Until = ComplianceNonCompliant, nil
	case len(failures) > 0:
		v.State = ComplianceInGrace
	case d.ReportedCompliance == ComplianceCompliant ||
		slices.ContainsFunc(results, func(r RuleResult) bool { return r.Finding == FindingMet }):
		v.State = ComplianceCompliant
	default:
		v.State = ComplianceUnknown
	}
	return v
}

// Verdict returns the device's verdict as recorded.
func (d Device) Verdict() Verdict {
	v := Verdict{State: d.Compliance, Until: d.ComplianceUntil}
	if d.ComplianceReasons != "" {
		v.Reasons = strings.Split(d.ComplianceReasons, "\n")
	}
	return v
}

// equal reports whether two verdicts say the same.
func (v Verdict) equal(w Verdict) bool {
	sameUntil := (v.Until == nil) == (w.Until == nil) && (v.Until == nil || v.Until.Equal(*w.Until))
	return v.State == w.State && sameUntil && slices.Equal(v.Reasons, w.Reasons)
}

// settleVerdicts records the verdicts that differ from the devices' recorded ones, in the
// caller's transaction, each change of state with its audit event (a removal is its own
// event, so the end of the verdict with it is not another).
func settleVerdicts(ctx context.Context, tx Store, at time.Time, tenantID string, ds []Device, verdicts []Verdict) error {
	changed := map[string]Verdict{}
	for i, d := range ds {
		v := verdicts[i]
		if d.Verdict().equal(v) {
			continue
		}
		changed[d.ID] = v
		if d.Compliance == v.State || v.State == ComplianceNone {
			continue
		}
		details := map[string]any{"from": d.Compliance, "to": v.State, "reasons": v.Reasons}
		if v.Until != nil {
			details["until"] = *v.Until
		}
		if _, err := tx.AppendAudit(ctx, tenantID, at, audit.Record{Actor: ActorSystem, Action: audit.DeviceCompliance,
			Subject: audit.Device.Of(d.ID), Details: audit.Fields(details)}); err != nil {
			return err
		}
	}
	if len(changed) == 0 {
		return nil
	}
	return tx.SetDeviceVerdicts(ctx, tenantID, changed)
}
