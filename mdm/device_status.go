package mdm

import (
	"context"
	"fmt"
	"strings"
	"time"
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
	// SetDeviceStatus records the status of the tenant's device as seen at `at`.
	SetDeviceStatus(ctx context.Context, tenantID, id string, st DeviceStatus, at time.Time) error
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
	st = st.normalize()
	switch st.Compliance {
	case ComplianceUnknown, ComplianceCompliant, ComplianceNonCompliant:
	default:
		return d, fmt.Errorf("%w: compliance %q", ErrInvalid, st.Compliance)
	}
	if d.State == DeviceRemoved {
		return d, fmt.Errorf("%w: device %s is removed", ErrConflict, d.ID)
	}
	if d.sameStatus(st) && d.LastContactAt != nil && at.Sub(*d.LastContactAt) < ContactResolution {
		return d, nil
	}
	if err := tx.SetDeviceStatus(ctx, d.TenantID, d.ID, st, at); err != nil {
		return d, fmt.Errorf("device %s: %w", d.ID, err)
	}
	was := d.Compliance
	d.OSVersion, d.SecurityPatchLevel, d.Compliance = st.OSVersion, st.SecurityPatchLevel, st.Compliance
	d.NonCompliance, d.LastContactAt, d.UpdatedAt = strings.Join(st.NonCompliance, "\n"), &at, at
	if was == st.Compliance {
		return d, nil
	}
	_, err := tx.AppendAudit(ctx, d.TenantID, at, AuditRecord{Actor: "device:" + d.ID, Action: "device.compliance",
		Subject: "device:" + d.ID, Details: AuditDetails(map[string]any{"from": was, "to": st.Compliance, "reasons": st.NonCompliance})})
	return d, err
}

// sameStatus reports whether the device's recorded status is st (normalised).
func (d Device) sameStatus(st DeviceStatus) bool {
	return d.OSVersion == st.OSVersion && d.SecurityPatchLevel == st.SecurityPatchLevel &&
		d.Compliance == st.Compliance && d.NonCompliance == strings.Join(st.NonCompliance, "\n")
}
