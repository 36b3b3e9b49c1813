package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// WriteDevices records the status, last contact and verdict of the tenant's devices as ds
// holds them, in one UPDATE … FROM (VALUES …), which SQLite and PostgreSQL both know,
// naming the columns of VALUES column1, column2, …: a batch of reports writes each changed
// device once, whether its status, its verdict or both changed. The overview counts'
// trigger moves only for the devices whose verdict did.
func (c Compliance) WriteDevices(ctx context.Context, tenantID string, ds []mdm.Device, at time.Time) error {
	if len(ds) == 0 {
		return nil
	}
	row := "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
	if c.s.postgres {
		row = "(?, ?, ?, ?, ?, CAST(? AS TIMESTAMPTZ), ?, CAST(? AS TIMESTAMPTZ), ?)"
	}
	var q strings.Builder
	q.WriteString(`UPDATE devices SET os_version = v.column2, security_patch_level = v.column3, compliance = v.column4,
non_compliance = v.column5, last_contact_at = v.column6, verdict = v.column7, verdict_until = v.column8,
verdict_reasons = v.column9, updated_at = ? FROM (VALUES `)
	args := make([]any, 0, 2+9*len(ds))
	args = append(args, at)
	for i, d := range ds {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
		args = append(args, d.ID, d.OSVersion, d.SecurityPatchLevel, string(d.ReportedCompliance), d.NonCompliance,
			utcOrNil(d.LastContactAt), string(d.Compliance), utcOrNil(d.ComplianceUntil), d.ComplianceReasons)
	}
	q.WriteString(") AS v WHERE devices.tenant_id = ? AND devices.id = v.column1")
	args = append(args, tenantID)
	res := c.s.db.WithContext(ctx).Exec(q.String(), args...)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected != int64(len(ds)) {
		return fmt.Errorf("%w: %d of %d devices", mdm.ErrNotFound, len(ds)-int(res.RowsAffected), len(ds))
	}
	return nil
}

// utcOrNil is t in UTC, or NULL for no time.
func utcOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// RecordContact sets the device's last contact, in one statement that writes nothing when
// the recorded contact is newer than staleAt.
func (c Compliance) RecordContact(ctx context.Context, tenantID, deviceID string, at, staleAt time.Time) error {
	return translate(c.s.db.WithContext(ctx).Exec(`UPDATE devices SET last_contact_at = ?
WHERE tenant_id = ? AND id = ? AND state <> ? AND (last_contact_at IS NULL OR last_contact_at <= ?)`,
		at.UTC(), tenantID, deviceID, mdm.DeviceRemoved, staleAt.UTC()).Error)
}
