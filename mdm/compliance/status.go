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

// StatusStore keeps what platforms report about devices: their status and last contact.
type StatusStore interface {
	// SetDeviceStatuses records, in one statement, the status of each of the tenant's
	// devices named by ID as seen at `at`; ErrNotFound if one of them is not the tenant's.
	SetDeviceStatuses(ctx context.Context, tenantID string, statuses map[string]DeviceStatus, at time.Time) error
	// RecordContact sets the device's last contact to `at` if it is unset or at or before
	// staleAt, unless the device is removed; a device of another tenant is left as it is.
	RecordContact(ctx context.Context, tenantID, deviceID string, at, staleAt time.Time) error
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
	return s.atomic(ctx, func(tx mdm.Store, at time.Time) error {
		d, err := tx.Devices().Device(ctx, tenantID, deviceID)
		if err != nil {
			return fmt.Errorf("device %s: %w", deviceID, err)
		}
		if st != nil {
			if d, err = s.RecordDeviceStatus(ctx, tx, at, d, *st); err != nil {
				return err
			}
		}
		return s.Check(ctx, tx, at, []Report{{Device: d, Facts: facts}})
	})
}

// RecordContact records, in the caller's transaction, that the tenant's device was heard
// from at `at`: by any message, however small. It writes only when the recorded contact
// is ContactResolution old or older, so that a device's frequent messages cost one write
// a minute; a removed device is left as it is.
func (s *Service) RecordContact(ctx context.Context, tx mdm.Store, tenantID, deviceID string, at time.Time) error {
	if err := s.tables(tx).RecordContact(ctx, tenantID, deviceID, at, at.Add(-ContactResolution)); err != nil {
		return fmt.Errorf("record contact of device %s: %w", deviceID, err)
	}
	return nil
}

// RecordDeviceStatus is ReportDeviceStatus for a platform that holds the transaction
// itself (Store.Atomic), because it writes rows of its own with the report; d is the
// device as read in that transaction. It returns the device as it is recorded now; the
// caller settles its verdict (Service.Check) in the same transaction.
func (s *Service) RecordDeviceStatus(ctx context.Context, tx mdm.Store, at time.Time, d mdm.Device, st DeviceStatus) (mdm.Device, error) {
	ds, err := s.RecordDeviceStatuses(ctx, tx, at, []StatusReport{{Device: d, Status: st}})
	if err != nil {
		return d, err
	}
	return ds[0], nil
}

// StatusReport is one report about a device, as read in the transaction that records it.
type StatusReport struct {
	Device mdm.Device
	Status DeviceStatus
}

// RecordDeviceStatuses is RecordDeviceStatus for many reports, which may name the same
// device more than once and devices of several tenants: they apply in order, and the
// devices whose status changed are written with one statement per tenant. It returns
// each report's device as that report leaves it. An invalid report or a removed device
// fails the whole call.
func (s *Service) RecordDeviceStatuses(ctx context.Context, tx mdm.Store, at time.Time, reports []StatusReport) ([]mdm.Device, error) {
	current := make(map[string]mdm.Device, len(reports)) // by tenant and ID
	changed := map[string]map[string]DeviceStatus{}      // by tenant, then ID
	out := make([]mdm.Device, len(reports))
	for i, r := range reports {
		key := r.Device.TenantID + " " + r.Device.ID
		d, ok := current[key]
		if !ok {
			d = r.Device
		}
		st, write, err := r.Status.applyTo(&d, at)
		if err != nil {
			return nil, err
		}
		if write {
			if changed[d.TenantID] == nil {
				changed[d.TenantID] = map[string]DeviceStatus{}
			}
			changed[d.TenantID][d.ID] = st
		}
		current[key], out[i] = d, d
	}
	for _, tenantID := range slices.Sorted(maps.Keys(changed)) {
		if err := s.tables(tx).SetDeviceStatuses(ctx, tenantID, changed[tenantID], at); err != nil {
			return nil, fmt.Errorf("record the status of %d devices: %w", len(changed[tenantID]), err)
		}
	}
	return out, nil
}

// applyTo takes the report into d and reports whether the device's row must be written:
// not when nothing but the time of contact changed, and that lately. The platform's own
// word on compliance is one of the facts the verdict weighs (Service.Check).
func (st DeviceStatus) applyTo(d *mdm.Device, at time.Time) (DeviceStatus, bool, error) {
	st = st.normalize()
	switch st.Compliance {
	case mdm.ComplianceUnknown, mdm.ComplianceCompliant, mdm.ComplianceNonCompliant:
	default:
		return st, false, fmt.Errorf("%w: compliance %q", mdm.ErrInvalid, st.Compliance)
	}
	if d.State == mdm.DeviceRemoved {
		return st, false, fmt.Errorf("%w: device %s is removed", mdm.ErrConflict, d.ID)
	}
	if st.sameAs(*d) && d.LastContactAt != nil && at.Sub(*d.LastContactAt) < ContactResolution {
		return st, false, nil
	}
	d.OSVersion, d.SecurityPatchLevel, d.ReportedCompliance = st.OSVersion, st.SecurityPatchLevel, st.Compliance
	d.NonCompliance, d.LastContactAt, d.UpdatedAt = strings.Join(st.NonCompliance, "\n"), &at, at
	return st, true, nil
}

// sameAs reports whether st (normalised) is the device's recorded status.
func (st DeviceStatus) sameAs(d mdm.Device) bool {
	return d.OSVersion == st.OSVersion && d.SecurityPatchLevel == st.SecurityPatchLevel &&
		d.ReportedCompliance == st.Compliance && d.NonCompliance == strings.Join(st.NonCompliance, "\n")
}
