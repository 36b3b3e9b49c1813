package mdm

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
)

// Verdict is a device's one compliance verdict: what the device list, the overview, the
// device page, the portal, the JSON API and the Art. 15 report all show. compliance.VerdictOf alone
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

// Verdict returns the device's verdict as recorded.
func (d Device) Verdict() Verdict {
	v := Verdict{State: d.Compliance, Until: d.ComplianceUntil}
	if d.ComplianceReasons != "" {
		v.Reasons = strings.Split(d.ComplianceReasons, "\n")
	}
	return v
}

// Equal reports whether two verdicts say the same.
func (v Verdict) Equal(w Verdict) bool {
	sameUntil := (v.Until == nil) == (w.Until == nil) && (v.Until == nil || v.Until.Equal(*w.Until))
	return v.State == w.State && sameUntil && slices.Equal(v.Reasons, w.Reasons)
}

// SettleVerdicts records the verdicts that differ from the devices' recorded ones, in the
// caller's transaction, each change of state with its audit event (a removal is its own
// event, so the end of the verdict with it is not another). The verdicts are what
// compliance.VerdictOf decided, or none (the zero Verdict) for a device being removed.
func SettleVerdicts(ctx context.Context, tx Store, at time.Time, tenantID string, ds []Device, verdicts []Verdict) error {
	changed, err := AuditVerdicts(ctx, tx, at, tenantID, ds, verdicts)
	if err != nil || len(changed) == 0 {
		return err
	}
	return tx.Devices().SetDeviceVerdicts(ctx, tenantID, changed)
}

// AuditVerdicts is SettleVerdicts for a caller that writes the verdicts itself, together
// with the rest of the device's row: it appends the audit events and returns the verdicts
// that changed, by device ID.
func AuditVerdicts(ctx context.Context, tx Store, at time.Time, tenantID string, ds []Device, verdicts []Verdict) (map[string]Verdict, error) {
	changed := map[string]Verdict{}
	for i, d := range ds {
		v := verdicts[i]
		if d.Verdict().Equal(v) {
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
			return nil, err
		}
	}
	return changed, nil
}
