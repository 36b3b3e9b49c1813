package android_test

import (
	"context"
	"testing"
	"time"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// When a removed Android phone's retention ends, the device row goes and, in the same
// sweep, the Android rows of that phone: its work profile's enterprise-specific ID and the
// AMAPI operations of its commands. Another phone's rows stay.
func TestRetentionForgetsTheAndroidPhoneOnTheAndroidSideToo(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.bind(t)
		gone, _ := s.active(t, "erika.mustermann@musterstadt.de")
		stays, _ := s.active(t, "max.mustermann@musterstadt.de")
		for i, d := range []mdm.Device{gone, stays} {
			c := mdm.Command{ID: mdm.NewID(), DeviceID: d.ID, Kind: mdm.CommandLockWork, Payload: mdm.JSONObject("{}"),
				State: mdm.CommandSent, CreatedAt: time.Now().UTC()}
			if err := s.st.Commands().CreateCommand(ctx, s.tenant.ID, &c); err != nil {
				t.Fatal(err)
			}
			db := s.st.Tables().DB()
			if err := db.Exec("INSERT INTO android_enterprise_ids (tenant_id, enterprise_specific_id, device_id) VALUES (?, ?, ?)",
				s.tenant.ID, []string{"ESID-A", "ESID-B"}[i], d.ID).Error; err != nil {
				t.Fatal(err)
			}
			if err := db.Exec("INSERT INTO android_operations (operation_name, tenant_id, command_id, created_at) VALUES (?, ?, ?, ?)",
				d.PlatformID+"/operations/1", s.tenant.ID, c.ID, time.Now().UTC()).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := s.svc.RemoveDevice(ctx, "admin:test", s.tenant, gone.ID, "left the town hall"); err != nil {
			t.Fatal(err)
		}
		if err := s.svc.ConfirmRemoval(ctx, "android:test", s.tenant.ID, gone.ID, "the work profile is gone"); err != nil {
			t.Fatal(err)
		}

		later := domain.New(s.st, storetest.PlainSealer{}, mdm.WithPlatforms(android.Registration()),
			mdm.WithClock(func() time.Time { return time.Now().AddDate(0, 0, 31) }))
		if n, err := later.DataProtection.PurgeRemovedDevices(ctx); err != nil || n != 1 {
			t.Fatalf("purge: %d devices, %v; want the removed phone", n, err)
		}
		for _, tc := range []struct {
			d    mdm.Device
			kept bool
		}{{gone, false}, {stays, true}} {
			ids := countWhere(t, s, "SELECT COUNT(*) FROM android_enterprise_ids WHERE device_id = ?", tc.d.ID)
			ops := countWhere(t, s, "SELECT COUNT(*) FROM android_operations WHERE operation_name = ?", tc.d.PlatformID+"/operations/1")
			if (ids > 0) != tc.kept || (ops > 0) != tc.kept {
				t.Errorf("device %s: %d enterprise-specific IDs and %d operations after the sweep; kept: %v", tc.d.ID, ids, ops, tc.kept)
			}
		}
	})
}

func countWhere(t *testing.T, s *site, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := s.st.Tables().DB().Raw(query, args...).Row().Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
