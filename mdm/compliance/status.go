package compliance

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// DeviceStatus is what a platform reports about a device's work container: facts about
// the work side only, never hardware identifiers, network or location.
type DeviceStatus struct {
	OSVersion          string
	SecurityPatchLevel string
	Compliance         mdm.Compliance
	// NonCompliance lists why the device does not meet its policy, one reason a line.
	NonCompliance []string
}

// StatusStore keeps what platforms report about devices: their status, last contact and
// the verdict settled with them.
type StatusStore interface {
	// WriteStatuses records, in one statement, the status and last contact of each of the
	// tenant's devices as ds holds them, changed at `at`; ErrNotFound if one of them is not
	// the tenant's.
	WriteStatuses(ctx context.Context, tenantID string, ds []mdm.Device, at time.Time) error
	// WriteStatusesAndVerdicts is WriteStatuses with each device's verdict.
	WriteStatusesAndVerdicts(ctx context.Context, tenantID string, ds []mdm.Device, at time.Time) error
	// RecordContact sets the device's last contact to `at` if it is unset or at or before
	// staleAt, unless the device is removed; a device of another tenant is left as it is.
	RecordContact(ctx context.Context, tenantID, deviceID string, at, staleAt time.Time) error
}

// WithOSVersion is the device's recorded status with a new OS version: what a platform
// reports when the phone told its version and nothing else of its status.
func WithOSVersion(d mdm.Device, version string) DeviceStatus {
	var reasons []string
	if d.NonCompliance != "" {
		reasons = strings.Split(d.NonCompliance, "\n")
	}
	return DeviceStatus{OSVersion: version, SecurityPatchLevel: d.SecurityPatchLevel, Compliance: d.ReportedCompliance, NonCompliance: reasons}
}

// Limits on reported values: anything longer is cut, since it comes from the phone.
const (
	maxStatusField   = 64
	maxNonCompliance = 20
	maxReasonLength  = 200
)

// normalize cuts the reported values to their limits and fills a missing verdict.
func (st DeviceStatus) normalize() DeviceStatus {
	st.OSVersion = cut(st.OSVersion, maxStatusField)
	st.SecurityPatchLevel = cut(st.SecurityPatchLevel, maxStatusField)
	if st.Compliance == "" {
		st.Compliance = mdm.ComplianceUnknown
	}
	if len(st.NonCompliance) > maxNonCompliance {
		st.NonCompliance = st.NonCompliance[:maxNonCompliance]
	}
	reasons := make([]string, len(st.NonCompliance))
	for i, r := range st.NonCompliance {
		reasons[i] = cut(strings.ReplaceAll(r, "\n", " "), maxReasonLength)
	}
	st.NonCompliance = reasons
	return st
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// ContactResolution is how stale a device's recorded last contact may get before a
// report that changes nothing else is written: frequent, unchanged reports then cost a
// read, not a write.
const ContactResolution = time.Minute

// ReportDeviceStatus records a status report of the platform for the device and settles
// its compliance verdict in the same transaction.
func (s *Service) ReportDeviceStatus(ctx context.Context, tenantID, deviceID string, st DeviceStatus) error {
	return s.ReportDevice(ctx, tenantID, deviceID, &st, Facts{})
}

// ReportDevice takes what one message of the device told into the domain, in one
// transaction: its status when st is not nil, then the facts for its work policy's
// compliance rules, with the verdict they settle.
func (s *Service) ReportDevice(ctx context.Context, tenantID, deviceID string, st *DeviceStatus, facts Facts) error {
	return s.Atomic(ctx, func(tx mdm.Store, at time.Time) error {
		d, err := tx.Devices().Device(ctx, tenantID, deviceID)
		if err != nil {
			return fmt.Errorf("device %s: %w", deviceID, err)
		}
		if st != nil {
			return s.ReportStatuses(ctx, tx, at, []StatusReport{{Device: d, Status: *st, Facts: facts}})
		}
		return s.Check(ctx, tx, at, []Report{{Device: d, Facts: facts}})
	})
}

// RecordContact records, in the caller's transaction, that the tenant's device was heard
// from at `at`: by any message, however small. It writes only when the recorded contact
// is ContactResolution old or older, so that a device's frequent messages cost one write
// a minute; a removed device is left as it is.
func (s *Service) RecordContact(ctx context.Context, tx mdm.Store, tenantID, deviceID string, at time.Time) error {
	if err := s.Tables(tx).RecordContact(ctx, tenantID, deviceID, at, at.Add(-ContactResolution)); err != nil {
		return fmt.Errorf("record contact of device %s: %w", deviceID, err)
	}
	return nil
}

// StatusReport is one report about a device, as read in the transaction that records it:
// the status the platform reports and the facts it tells for the compliance rules.
type StatusReport struct {
	Device mdm.Device
	Status DeviceStatus
	Facts  Facts
}

// ReportStatuses takes status reports into the domain in the caller's transaction tx,
// for a platform that holds the transaction itself because it writes rows of its own with
// them. The reports may name the same device more than once and devices of several
// tenants: they apply in order, the rules are checked on each device as its report leaves
// it, and every device whose status or verdict changed is written once: those whose verdict
// changed with their verdict in one statement per tenant, the others in another. An invalid
// report or a removed device fails the whole call.
func (s *Service) ReportStatuses(ctx context.Context, tx mdm.Store, at time.Time, reports []StatusReport) error {
	latest := make(map[string]*mdm.Device, len(reports)) // by tenant and ID, as the batch leaves it
	dirty := map[string]map[string]bool{}                // by tenant: the IDs to write, true with the verdict
	mark := func(d *mdm.Device, verdict bool) {
		if dirty[d.TenantID] == nil {
			dirty[d.TenantID] = map[string]bool{}
		}
		dirty[d.TenantID][d.ID] = dirty[d.TenantID][d.ID] || verdict
	}
	checked := make([]Report, len(reports))
	for i, r := range reports {
		key := r.Device.TenantID + " " + r.Device.ID
		d, ok := latest[key]
		if !ok {
			d = &mdm.Device{}
			*d = r.Device
			latest[key] = d
		}
		write, err := r.Status.applyTo(d, at)
		if err != nil {
			return err
		}
		if write {
			mark(d, false)
		}
		checked[i] = Report{Device: *d, Facts: r.Facts}
	}
	verdicts := map[string]map[string]mdm.Verdict{}
	if err := s.check(ctx, tx, at, checked, verdicts); err != nil {
		return err
	}
	for tenantID, vs := range verdicts {
		for id, v := range vs {
			d := latest[tenantID+" "+id]
			d.Compliance, d.ComplianceUntil, d.ComplianceReasons = v.State, v.Until, strings.Join(v.Reasons, "\n")
			mark(d, true)
		}
	}
	for _, tenantID := range slices.Sorted(maps.Keys(dirty)) {
		var statuses, withVerdicts []mdm.Device
		for _, id := range slices.Sorted(maps.Keys(dirty[tenantID])) {
			if dirty[tenantID][id] {
				withVerdicts = append(withVerdicts, *latest[tenantID+" "+id])
			} else {
				statuses = append(statuses, *latest[tenantID+" "+id])
			}
		}
		if err := s.Tables(tx).WriteStatuses(ctx, tenantID, statuses, at); err != nil {
			return fmt.Errorf("record the status of %d devices: %w", len(statuses), err)
		}
		if err := s.Tables(tx).WriteStatusesAndVerdicts(ctx, tenantID, withVerdicts, at); err != nil {
			return fmt.Errorf("record the status and verdict of %d devices: %w", len(withVerdicts), err)
		}
	}
	return nil
}

// applyTo takes the report into d and reports whether the device's row must be written:
// not when nothing but the time of contact changed, and that lately. The platform's own
// word on compliance is one of the facts the verdict weighs (Service.Check).
func (st DeviceStatus) applyTo(d *mdm.Device, at time.Time) (bool, error) {
	st = st.normalize()
	switch st.Compliance {
	case mdm.ComplianceUnknown, mdm.ComplianceCompliant, mdm.ComplianceNonCompliant:
	default:
		return false, fmt.Errorf("%w: compliance %q", mdm.ErrInvalid, st.Compliance)
	}
	if d.State == mdm.DeviceRemoved {
		return false, fmt.Errorf("%w: device %s is removed", mdm.ErrConflict, d.ID)
	}
	if st.sameAs(*d) && d.LastContactAt != nil && at.Sub(*d.LastContactAt) < ContactResolution {
		return false, nil
	}
	d.OSVersion, d.SecurityPatchLevel, d.ReportedCompliance = st.OSVersion, st.SecurityPatchLevel, st.Compliance
	d.NonCompliance, d.LastContactAt = strings.Join(st.NonCompliance, "\n"), &at
	return true, nil
}

// sameAs reports whether st (normalised) is the device's recorded status.
func (st DeviceStatus) sameAs(d mdm.Device) bool {
	return d.OSVersion == st.OSVersion && d.SecurityPatchLevel == st.SecurityPatchLevel &&
		d.ReportedCompliance == st.Compliance && d.NonCompliance == strings.Join(st.NonCompliance, "\n")
}
