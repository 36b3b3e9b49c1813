package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/compliance"
)

// SetDeviceStatuses records the status of the tenant's devices in one UPDATE … FROM
// (VALUES …), which SQLite and PostgreSQL both know, naming the columns of VALUES column1,
// column2, …; the report is also each device's last contact.
func (c Compliance) SetDeviceStatuses(ctx context.Context, tenantID string, statuses map[string]compliance.DeviceStatus, at time.Time) error {
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
	res := c.s.db.WithContext(ctx).Exec(q.String(), args...)
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
func (c Compliance) RecordContact(ctx context.Context, tenantID, deviceID string, at, staleAt time.Time) error {
	return translate(c.s.db.WithContext(ctx).Exec(`UPDATE devices SET last_contact_at = ?
WHERE tenant_id = ? AND id = ? AND state <> ? AND (last_contact_at IS NULL OR last_contact_at <= ?)`,
		at.UTC(), tenantID, deviceID, mdm.DeviceRemoved, staleAt.UTC()).Error)
}
