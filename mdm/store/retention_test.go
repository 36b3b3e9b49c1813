package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// countEvents returns how many of the tenant's events have the action.
func countEvents(t *testing.T, s *store.Store, tenantID string, action audit.Action) int {
	t.Helper()
	n := 0
	err := store.TrailOf(s).AuditEvents(context.Background(), tenantID, 0, func(e audit.Event) error {
		if e.Action == action {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A removed device's row is kept for the tenant's retention period (30 days unless set)
// and then deleted, leaving a deletion record in the trail. The sweep deletes each device
// once: run again after a restart, or by two replicas at once, it finds nothing more.
func TestRemovedDevicesAreDeletedOnceAfterTheRetentionPeriod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := &clock{now: testTime}
		svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithClock(c.Now))
		w := populate(t, s, svc, "musterstadt")
		if err := svc.ConfirmRemoval(ctx, "device:x", w.tenant.ID, w.device.ID, "work profile removed"); err != nil {
			t.Fatal(err)
		}
		c.Advance(29 * 24 * time.Hour)
		if n, err := svc.PurgeRemovedDevices(ctx); err != nil || n != 0 {
			t.Fatalf("after 29 days: %d deleted, %v; want none", n, err)
		}
		c.Advance(2 * 24 * time.Hour)
		// Two replicas sweep at once, and a restarted one sweeps again.
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i := range counts {
			wg.Go(func() {
				replica := domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithClock(c.Now))
				n, err := replica.PurgeRemovedDevices(ctx)
				if err != nil {
					t.Error(err)
				}
				counts[i] = n
			})
		}
		wg.Wait()
		restarted := domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithClock(c.Now))
		again, err := restarted.PurgeRemovedDevices(ctx)
		if err != nil || counts[0]+counts[1] != 1 || again != 0 {
			t.Fatalf("deleted %v then %d (%v); want one deletion in all", counts, again, err)
		}
		if _, err := s.Device(ctx, w.tenant.ID, w.device.ID); !errors.Is(err, mdm.ErrNotFound) {
			t.Fatalf("the device row is still there: %v", err)
		}
		if cmds, _ := s.Commands(ctx, w.tenant.ID, w.device.ID); len(cmds) != 0 {
			t.Fatalf("the device's commands are still there: %v", cmds)
		}
		if n := countEvents(t, s, w.tenant.ID, "device.delete"); n != 1 {
			t.Fatalf("%d deletion records, want 1", n)
		}
		if r, err := svc.Trail.VerifyTenantAudit(ctx, w.tenant); err != nil || r.Break != nil {
			t.Fatalf("the trail after deletion: %+v, %v", r.Break, err)
		}
	})
}

// A tenant's own retention period applies; devices that are not removed stay.
func TestDeviceRetentionFollowsTheTenantSetting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := &clock{now: testTime}
		svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithClock(c.Now))
		w := populate(t, s, svc, "musterstadt")
		other := populate(t, s, svc, "beispieldorf")
		dp := mdm.DefaultDataProtection(w.tenant.ID)
		dp.DeviceRetentionDays = 7
		if _, err := svc.SetDataProtection(ctx, "cli:root", w.tenant, dp); err != nil {
			t.Fatal(err)
		}
		for _, x := range []world{w, other} {
			if err := svc.ConfirmRemoval(ctx, "device:x", x.tenant.ID, x.device.ID, "gone"); err != nil {
				t.Fatal(err)
			}
		}
		c.Advance(8 * 24 * time.Hour)
		if n, err := svc.PurgeRemovedDevices(ctx); err != nil || n != 1 {
			t.Fatalf("after 8 days: %d deleted, %v; want the one of the 7-day tenant", n, err)
		}
		if _, err := s.Device(ctx, other.tenant.ID, other.device.ID); err != nil {
			t.Fatalf("the 30-day tenant's device went early: %v", err)
		}
	})
}

func TestDataProtectionSettingsAreChecked(t *testing.T) {
	cases := []struct {
		name   string
		change func(*mdm.DataProtection)
	}{
		{"no retention", func(d *mdm.DataProtection) { d.DeviceRetentionDays = 0 }},
		{"inactivity not 30, 60 or 90", func(d *mdm.DataProtection) { d.InactivityDays = 45 }},
		{"unknown action", func(d *mdm.DataProtection) { d.InactivityAction = "wipe" }},
		{"IT contact not an address", func(d *mdm.DataProtection) { d.ITContactEmail = "it at town" }},
		{"negative audit years", func(d *mdm.DataProtection) { d.AuditRetentionYears = -1 }},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(s)
		tn := storetest.Tenant(t, svc, "musterstadt")
		for _, tc := range cases {
			d := mdm.DefaultDataProtection(tn.ID)
			tc.change(&d)
			if _, err := svc.SetDataProtection(ctx, "cli:root", tn, d); !errors.Is(err, mdm.ErrInvalid) {
				t.Errorf("%s: %v, want refusal", tc.name, err)
			}
		}
		if got, _ := svc.TenantDataProtection(ctx, tn); got != mdm.DefaultDataProtection(tn.ID) {
			t.Fatalf("refused settings were stored: %+v", got)
		}
		if n := countEvents(t, s, tn.ID, "dataprotection.update"); n != 0 {
			t.Fatalf("refused settings were audited %d times", n)
		}
	})
}
