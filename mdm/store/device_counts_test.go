package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// truth counts the tenant's devices the slow way, one by one.
func truth(t *testing.T, s *store.Store, tenantID string) []mdm.DeviceCount {
	t.Helper()
	var out []mdm.DeviceCount
	err := s.Tables().DB().Table("devices").Where("tenant_id = ?", tenantID).
		Select("platform, state, verdict AS compliance, COUNT(*) AS count").
		Group("platform, state, verdict").Order("platform, state, verdict").Scan(&out).Error
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The overview's counts agree with the devices themselves through every kind of write —
// new devices, changes of state and compliance however they are written, deletions — and
// through the folding of the recorded changes; each tenant counts only its own devices.
func TestDeviceCountsFollowEveryWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms())
		a, b := storetest.Tenant(t, svc, "musterstadt"), storetest.Tenant(t, svc, "nachbarort")
		check := func(step string) {
			t.Helper()
			for _, tn := range []mdm.Tenant{a, b} {
				got, err := s.Devices().DeviceCounts(ctx, tn.ID)
				if err != nil {
					t.Fatal(err)
				}
				if want := truth(t, s, tn.ID); !reflect.DeepEqual(got, want) && (len(got) != 0 || len(want) != 0) {
					t.Errorf("%s, %s: counts %v, devices %v", step, tn.Name, got, want)
				}
			}
		}
		check("no devices")
		storetest.SeedDevices(t, s, a.ID, 700)
		storetest.SeedDevices(t, s, b.ID, 30)
		check("after seeding")
		db := s.Tables().DB()
		if err := db.Exec("UPDATE devices SET state = 'removed' WHERE tenant_id = ? AND state = 'removing'", a.ID).Error; err != nil {
			t.Fatal(err)
		}
		check("after a bulk state change")
		if err := db.Exec("UPDATE devices SET verdict = 'in_grace', state = state WHERE tenant_id = ? AND platform = 'ios' AND state <> 'removed'", a.ID).Error; err != nil {
			t.Fatal(err)
		}
		check("after a bulk compliance change")
		check("read again, after folding")
		var rows int64
		db.Table("device_count_deltas").Where("tenant_id = ?", a.ID).Count(&rows)
		if rows > 30 {
			t.Errorf("%d recorded changes after reading the counts, want them folded into one per combination", rows)
		}
		var removed []string
		db.Table("devices").Where("tenant_id = ? AND state = 'removed'", a.ID).Limit(40).Pluck("id", &removed)
		if _, err := store.DataProtectionOf(s).DeleteDevices(ctx, a.ID, removed); err != nil {
			t.Fatal(err)
		}
		check("after deleting removed devices")
		if err := db.Exec("UPDATE devices SET os_version = '16' WHERE tenant_id = ?", b.ID).Error; err != nil {
			t.Fatal(err)
		}
		check("after a change that does not count")
	})
}
