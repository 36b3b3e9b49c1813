package mdm

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
)

// DeviceStatus is what a platform reports about a device's work container: facts about
// the work side only, never hardware identifiers, network or location.
type DeviceStatus struct {
	OSVersion          string
	SecurityPatchLevel string
	Compliance         Compliance
	// NonCompliance lists why the device does not meet its policy, one reason a line.
	NonCompliance []string
}

// DeviceStatusStore keeps what platforms report about devices.
type DeviceStatusStore interface {
	// DevicesByPlatformIDs returns the tenant's devices that the platform calls by one of
	// the IDs; IDs that name no device are left out.
	DevicesByPlatformIDs(ctx context.Context, tenantID string, platform Platform, platformIDs []string) ([]Device, error)
	// SetDeviceStatuses records, in one statement, the status of each of the tenant's
	// devices named by ID as seen at `at`; ErrNotFound if one of them is not the tenant's.
	SetDeviceStatuses(ctx context.Context, tenantID string, statuses map[string]DeviceStatus, at time.Time) error
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
		st.Compliance = ComplianceUnknown
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

// ReportDeviceStatus records a status report of the platform for the device. A change of
// the compliance verdict is an audit event, written in the same transaction; reports that
// do not change the verdict are not, so that frequent reports stay cheap.
func (s *Service) ReportDeviceStatus(ctx context.Context, tenantID, deviceID string, st DeviceStatus) error {
	return s.atomic(ctx, func(tx Store, at time.Time) error {
		d, err := tx.Device(ctx, tenantID, deviceID)
		if err != nil {
			return fmt.Errorf("device %s: %w", deviceID, err)
		}
		_, err = RecordDeviceStatus(ctx, tx, at, d, st)
		return err
	})
}

// RecordDeviceStatus is ReportDeviceStatus for a platform that holds the transaction
// itself (Store.Atomic), because it writes rows of its own with the report; d is the
// device as read in that transaction. It returns the device as it is recorded now.
func RecordDeviceStatus(ctx context.Context, tx Store, at time.Time, d Device, st DeviceStatus) (Device, error) {
	ds, err := RecordDeviceStatuses(ctx, tx, at, []StatusReport{{Device: d, Status: st}})
	if err != nil {
		return d, err
	}
	return ds[0], nil
}

// StatusReport is one report about a device, as read in the transaction that records it.
type StatusReport struct {
	Device Device
	Status DeviceStatus
}

// RecordDeviceStatuses is RecordDeviceStatus for many reports, which may name the same
// device more than once and devices of several tenants: they apply in order, each
// compliance change is its own audit event, and the devices whose status changed are
// written with one statement per tenant. It returns each report's device as that
// report leaves it. An invalid report or a removed device fails the whole call.
func RecordDeviceStatuses(ctx context.Context, tx Store, at time.Time, reports []StatusReport) ([]Device, error) {
	current := make(map[string]Device, len(reports)) // by tenant and ID
	changed := map[string]map[string]DeviceStatus{}  // by tenant, then ID
	out := make([]Device, len(reports))
	for i, r := range reports {
		key := r.Device.TenantID + " " + r.Device.ID
		d, ok := current[key]
		if !ok {
			d = r.Device
		}
		st, write, err := d.applyStatus(ctx, tx, at, r.Status)
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
		if err := tx.SetDeviceStatuses(ctx, tenantID, changed[tenantID], at); err != nil {
			return nil, fmt.Errorf("record the status of %d devices: %w", len(changed[tenantID]), err)
		}
	}
	return out, nil
}

// applyStatus takes a report into d and reports whether the device's row must be written:
// not when nothing but the time of contact changed, and that lately. A change of the
// compliance verdict is written to the audit trail.
func (d *Device) applyStatus(ctx context.Context, tx Store, at time.Time, st DeviceStatus) (DeviceStatus, bool, error) {
	st = st.normalize()
	switch st.Compliance {
	case ComplianceUnknown, ComplianceCompliant, ComplianceNonCompliant:
	default:
		return st, false, fmt.Errorf("%w: compliance %q", ErrInvalid, st.Compliance)
	}
	if d.State == DeviceRemoved {
		return st, false, fmt.Errorf("%w: device %s is removed", ErrConflict, d.ID)
	}
	if d.sameStatus(st) && d.LastContactAt != nil && at.Sub(*d.LastContactAt) < ContactResolution {
		return st, false, nil
	}
	was := d.Compliance
	d.OSVersion, d.SecurityPatchLevel, d.Compliance = st.OSVersion, st.SecurityPatchLevel, st.Compliance
	d.NonCompliance, d.LastContactAt, d.UpdatedAt = strings.Join(st.NonCompliance, "\n"), &at, at
	if was == st.Compliance {
		return st, true, nil
	}
	_, err := tx.AppendAudit(ctx, d.TenantID, at, audit.Record{Actor: "device:" + d.ID, Action: audit.DeviceCompliance,
		Subject: audit.Device.Of(d.ID), Details: audit.Fields(map[string]any{"from": was, "to": st.Compliance, "reasons": st.NonCompliance})})
	return st, true, err
}

// sameStatus reports whether the device's recorded status is st (normalised).
func (d Device) sameStatus(st DeviceStatus) bool {
	return d.OSVersion == st.OSVersion && d.SecurityPatchLevel == st.SecurityPatchLevel &&
		d.Compliance == st.Compliance && d.NonCompliance == strings.Join(st.NonCompliance, "\n")
}
