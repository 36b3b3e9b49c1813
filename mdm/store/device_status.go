package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// DevicesByPlatformIDs returns the tenant's devices that the platform calls by one of the
// IDs, in one statement.
func (s *Store) DevicesByPlatformIDs(ctx context.Context, tenantID string, platform mdm.Platform, platformIDs []string) ([]mdm.Device, error) {
	if len(platformIDs) == 0 {
		return nil, nil
	}
	var ds []mdm.Device
	// platform_id <> '' lets the database use the partial index devices_platform_id.
	err := s.scoped(ctx, tenantID).Where("platform = ? AND platform_id IN ? AND platform_id <> ''", platform, platformIDs).Find(&ds).Error
	return ds, translate(err)
}

// SetDeviceStatuses records the status of the tenant's devices in one UPDATE … FROM
// (VALUES …), which SQLite and PostgreSQL both know, naming the columns of VALUES column1,
// column2, …; the report is also each device's last contact.
func (s *Store) SetDeviceStatuses(ctx context.Context, tenantID string, statuses map[string]mdm.DeviceStatus, at time.Time) error {
	if len(statuses) == 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString(`UPDATE devices SET os_version = v.column2, security_patch_level = v.column3, compliance = v.column4,
non_compliance = v.column5, last_contact_at = ?, updated_at = ? FROM (VALUES `)
	args := make([]any, 0, 3+5*len(statuses))
	args = append(args, at, at)
	for i, id := range slices.Sorted(maps.Keys(statuses)) {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?, ?)")
		st := statuses[id]
		args = append(args, id, st.OSVersion, st.SecurityPatchLevel, string(st.Compliance), strings.Join(st.NonCompliance, "\n"))
	}
	q.WriteString(") AS v WHERE devices.tenant_id = ? AND devices.id = v.column1")
	args = append(args, tenantID)
	res := s.db.WithContext(ctx).Exec(q.String(), args...)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected != int64(len(statuses)) {
		return fmt.Errorf("%w: %d of %d devices", mdm.ErrNotFound, len(statuses)-int(res.RowsAffected), len(statuses))
	}
	return nil
}

// RecordContact sets the device's last contact, in one statement that writes nothing when
// the recorded contact is newer than staleAt.
func (s *Store) RecordContact(ctx context.Context, tenantID, deviceID string, at, staleAt time.Time) error {
	return translate(s.db.WithContext(ctx).Exec(`UPDATE devices SET last_contact_at = ?
WHERE tenant_id = ? AND id = ? AND state <> ? AND (last_contact_at IS NULL OR last_contact_at <= ?)`,
		at.UTC(), tenantID, deviceID, mdm.DeviceRemoved, staleAt.UTC()).Error)
}

// SetDeviceVerdicts records the devices' compliance verdicts in one UPDATE … FROM
// (VALUES …), like SetDeviceStatuses: a batch whose reports change many verdicts costs one
// statement, not one a device. On PostgreSQL the time's parameter is cast, so that it is
// sent as a time and not guessed as text; SQLite keeps it as the driver writes it.
func (s *Store) SetDeviceVerdicts(ctx context.Context, tenantID string, verdicts map[string]mdm.Verdict) error {
	if len(verdicts) == 0 {
		return nil
	}
	row := "(?, ?, ?, ?)"
	if s.postgres {
		row = "(?, ?, CAST(? AS TIMESTAMPTZ), ?)"
	}
	var q strings.Builder
	q.WriteString("UPDATE devices SET verdict = v.column2, verdict_until = v.column3, verdict_reasons = v.column4 FROM (VALUES ")
	args := make([]any, 0, 1+4*len(verdicts))
	for i, id := range slices.Sorted(maps.Keys(verdicts)) {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
		v := verdicts[id]
		var at any
		if v.Until != nil {
			at = v.Until.UTC()
		}
		args = append(args, id, string(v.State), at, strings.Join(v.Reasons, "\n"))
	}
	q.WriteString(") AS v WHERE devices.tenant_id = ? AND devices.id = v.column1")
	args = append(args, tenantID)
	res := s.db.WithContext(ctx).Exec(q.String(), args...)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected != int64(len(verdicts)) {
		return fmt.Errorf("verdicts: %w: %d of %d devices", mdm.ErrNotFound, len(verdicts)-int(res.RowsAffected), len(verdicts))
	}
	return nil
}
