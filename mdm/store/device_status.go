package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// WriteStatuses records the status and last contact of the tenant's devices as ds holds
// them, in one UPDATE … FROM (VALUES …), which SQLite and PostgreSQL both know, naming the
// columns of VALUES column1, column2, …
func (c Compliance) WriteStatuses(ctx context.Context, tenantID string, ds []mdm.Device, at time.Time) error {
	return c.writeDevices(ctx, tenantID, ds, at, false)
}

// WriteStatusesAndVerdicts is WriteStatuses for devices whose verdict changed too: status
// and verdict in one statement. The verdict's columns are written only here, since naming
// them in an UPDATE runs the overview counts' trigger on every row.
func (c Compliance) WriteStatusesAndVerdicts(ctx context.Context, tenantID string, ds []mdm.Device, at time.Time) error {
	return c.writeDevices(ctx, tenantID, ds, at, true)
}

// sqliteWriteRows is how many devices one statement writes on SQLite: its driver binds
// each parameter by searching the statement's parameters, so a statement's cost grows with
// the square of its parameters, and a few hundred of them keep it small. PostgreSQL takes
// a batch in one statement, each statement being a round trip.
const sqliteWriteRows = 100

func (c Compliance) writeDevices(ctx context.Context, tenantID string, ds []mdm.Device, at time.Time, verdicts bool) error {
	rows := len(ds)
	if !c.s.postgres {
		rows = sqliteWriteRows
	}
	for len(ds) > 0 {
		n := min(len(ds), rows)
		if err := c.writeRows(ctx, tenantID, ds[:n], at, verdicts); err != nil {
			return err
		}
		ds = ds[n:]
	}
	return nil
}

// writeRows writes ds in one statement. Without verdicts, every device was heard from at
// `at` (its report is the reason to write it); with them, each keeps the contact ds holds.
func (c Compliance) writeRows(ctx context.Context, tenantID string, ds []mdm.Device, at time.Time, verdicts bool) error {
	timestamp := "?"
	if c.s.postgres {
		timestamp = "CAST(? AS TIMESTAMPTZ)"
	}
	var q strings.Builder
	q.WriteString(`UPDATE devices SET os_version = v.column2, security_patch_level = v.column3, compliance = v.column4,
non_compliance = v.column5, updated_at = ?`)
	args := make([]any, 0, 3+8*len(ds))
	args = append(args, at)
	row := "(?, ?, ?, ?, ?)"
	if verdicts {
		q.WriteString(", last_contact_at = v.column6, verdict = v.column7, verdict_until = v.column8, verdict_reasons = v.column9")
		row = "(?, ?, ?, ?, ?, " + timestamp + ", ?, " + timestamp + ", ?)"
	} else {
		q.WriteString(", last_contact_at = ?")
		args = append(args, at)
	}
	q.WriteString(" FROM (VALUES ")
	for i, d := range ds {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
		args = append(args, d.ID, d.OSVersion, d.SecurityPatchLevel, string(d.ReportedCompliance), d.NonCompliance)
		if verdicts {
			args = append(args, utcOrNil(d.LastContactAt), string(d.Compliance), utcOrNil(d.ComplianceUntil), d.ComplianceReasons)
		}
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
