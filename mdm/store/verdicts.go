package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/trennwand/trennwand/mdm"
)

// SetDeviceVerdicts records the devices' compliance verdicts in one UPDATE … FROM
// (VALUES …), like SetDeviceStatuses: a batch whose reports change many verdicts costs one
// statement, not one a device. On PostgreSQL the time's parameter is cast, so that it is
// sent as a time and not guessed as text; SQLite keeps it as the driver writes it.
func (dv Devices) SetDeviceVerdicts(ctx context.Context, tenantID string, verdicts map[string]mdm.Verdict) error {
	if len(verdicts) == 0 {
		return nil
	}
	row := "(?, ?, ?, ?)"
	if dv.s.postgres {
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
		args = append(args, id, string(v.State), utcOrNil(v.Until), strings.Join(v.Reasons, "\n"))
	}
	q.WriteString(") AS v WHERE devices.tenant_id = ? AND devices.id = v.column1")
	args = append(args, tenantID)
	res := dv.s.db.WithContext(ctx).Exec(q.String(), args...)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected != int64(len(verdicts)) {
		return fmt.Errorf("verdicts: %w: %d of %d devices", mdm.ErrNotFound, len(verdicts)-int(res.RowsAffected), len(verdicts))
	}
	return nil
}
