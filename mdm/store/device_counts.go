package store

import (
	"cmp"
	"context"
	"slices"

	"github.com/trennwand/trennwand/mdm"
)

// deviceCountDelta is one row of device_count_deltas: a change of the number of a
// tenant's devices with one platform, state and compliance (migration 00081).
type deviceCountDelta struct {
	TenantID   string
	Platform   mdm.Platform
	State      mdm.DeviceState
	Compliance mdm.Compliance
	Delta      int64
}

func (deviceCountDelta) TableName() string { return "device_count_deltas" }

// foldDeltasAt is how many rows a tenant's counts may have before a reader folds them into
// one row per combination; until then summing them costs less than folding.
const foldDeltasAt = 256

// DeviceCounts counts the tenant's devices by platform, state and compliance: the sum of
// the changes that the devices table's triggers recorded, which is exact in every
// transaction, at the cost of a few rows rather than of every device.
func (dv Devices) DeviceCounts(ctx context.Context, tenantID string) ([]mdm.DeviceCount, error) {
	var sums []struct {
		mdm.DeviceCount
		Rows int
	}
	err := dv.s.scoped(ctx, tenantID).Table("device_count_deltas").
		Select("platform, state, compliance, SUM(delta) AS count, COUNT(*) AS rows").
		Group("platform, state, compliance").Scan(&sums).Error
	if err != nil {
		return nil, translate(err)
	}
	rows := 0
	out := make([]mdm.DeviceCount, 0, len(sums))
	for _, c := range sums {
		rows += c.Rows
		if c.Count != 0 {
			out = append(out, c.DeviceCount)
		}
	}
	if rows > foldDeltasAt {
		if err := dv.foldDeviceCounts(ctx, tenantID); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b mdm.DeviceCount) int {
		return cmp.Or(cmp.Compare(a.Platform, b.Platform), cmp.Compare(a.State, b.State), cmp.Compare(a.Compliance, b.Compliance))
	})
	return out, nil
}

// foldDeviceCounts replaces the tenant's count rows by their sums. On PostgreSQL one
// statement deletes the rows and inserts the sums of exactly the rows it deleted, so that
// changes made meanwhile and a second fold at the same time are neither lost nor counted
// twice; SQLite runs one writer at a time.
func (dv Devices) foldDeviceCounts(ctx context.Context, tenantID string) error {
	if dv.s.postgres {
		return translate(dv.s.db.WithContext(ctx).Exec(`WITH gone AS (DELETE FROM device_count_deltas WHERE tenant_id = ?
			RETURNING platform, state, compliance, delta)
			INSERT INTO device_count_deltas (tenant_id, platform, state, compliance, delta)
			SELECT ?, platform, state, compliance, SUM(delta) FROM gone
			GROUP BY platform, state, compliance HAVING SUM(delta) <> 0`, tenantID, tenantID).Error)
	}
	return dv.s.transact(ctx, func(tx *Tx) error {
		var sums []deviceCountDelta
		err := tx.scoped(ctx, tenantID).Table("device_count_deltas").
			Select("tenant_id, platform, state, compliance, SUM(delta) AS delta").
			Group("tenant_id, platform, state, compliance").Having("SUM(delta) <> 0").Scan(&sums).Error
		if err != nil {
			return translate(err)
		}
		if err := tx.scoped(ctx, tenantID).Delete(&deviceCountDelta{}).Error; err != nil {
			return translate(err)
		}
		if len(sums) == 0 {
			return nil
		}
		return translate(tx.db.WithContext(ctx).Create(&sums).Error)
	})
}
