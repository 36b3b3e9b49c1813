package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// An active device silent for the tenant's 30 days is flagged (an audit event, and an
// e-mail job when e-mail is on); 14 days later, still silent, the tenant's action is taken.
// Each step happens once however often the rule runs, on this replica or after a restart.
func TestInactiveDevicesAreFlaggedThenActedOnOnce(t *testing.T) {
	cases := []struct {
		name     string
		platform mdm.Platform
		action   mdm.InactivityAction
		want     func(r mdm.InactivityResult) bool
		state    mdm.DeviceState
	}{
		{"android locked", mdm.PlatformAndroid, mdm.InactivityLock, func(r mdm.InactivityResult) bool { return r.Locked == 1 }, mdm.DeviceActive},
		{"iPhone cannot be locked: certificates revoked", mdm.PlatformIOS, mdm.InactivityLock, func(r mdm.InactivityResult) bool { return r.Revoked == 1 }, mdm.DeviceActive},
		{"removed", mdm.PlatformAndroid, mdm.InactivityRemove, func(r mdm.InactivityResult) bool { return r.Removed == 1 }, mdm.DeviceRemoving},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				ctx := context.Background()
				c := &clock{now: testTime}
				ca := &fakeCA{}
				newSvc := func() *domain.Services {
					return domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithClock(c.Now), mdm.WithCertificates(ca), mdm.WithNoticeMail())
				}
				svc := newSvc()
				w := populate(t, s, svc, "musterstadt")
				raw(t, s, "UPDATE devices SET platform = ?, last_contact_at = ? WHERE id = ?", tc.platform, testTime, w.device.ID)
				dp := mdm.DefaultDataProtection(w.tenant.ID)
				dp.InactivityDays, dp.InactivityGraceDays, dp.InactivityAction = 30, 14, tc.action
				if _, err := svc.SetDataProtection(ctx, "cli:root", w.tenant, dp); err != nil {
					t.Fatal(err)
				}
				run := func() mdm.InactivityResult {
					t.Helper()
					r, err := newSvc().ApplyInactivityRule(ctx)
					if err != nil {
						t.Fatal(err)
					}
					return r
				}
				c.Advance(29 * 24 * time.Hour)
				if r := run(); r != (mdm.InactivityResult{}) {
					t.Fatalf("after 29 days: %+v, want nothing", r)
				}
				c.Advance(2 * 24 * time.Hour)
				if r, again := run(), run(); r.Flagged != 1 || again != (mdm.InactivityResult{}) {
					t.Fatalf("after 31 days: %+v then %+v; want one flag", r, again)
				}
				if n := store.RawCount(s, "river_job", "kind = ?", mdm.InactivityMailJob{}.Kind()); n != 1 {
					t.Fatalf("%d notice jobs, want 1", n)
				}
				c.Advance(15 * 24 * time.Hour)
				if r, again := run(), run(); !tc.want(r) || again != (mdm.InactivityResult{}) {
					t.Fatalf("after the grace period: %+v then %+v", r, again)
				}
				d, _ := s.Device(ctx, w.tenant.ID, w.device.ID)
				if d.State != tc.state {
					t.Fatalf("device is %s, want %s", d.State, tc.state)
				}
				if n := countEvents(t, s, w.tenant.ID, "device.inactive"); n != 1 {
					t.Fatalf("%d inactivity events, want 1", n)
				}
				if n := countEvents(t, s, w.tenant.ID, "device.inactivity_action"); n != 1 {
					t.Fatalf("%d action events, want 1", n)
				}
			})
		})
	}
}

// A flagged device that reports again before the grace period ends is left alone, and
// its flag is cleared so that a later silence is noticed anew.
func TestADeviceThatReportsAgainIsLeftAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := &clock{now: testTime}
		svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithClock(c.Now))
		w := populate(t, s, svc, "musterstadt")
		dp := mdm.DefaultDataProtection(w.tenant.ID)
		dp.InactivityDays, dp.InactivityAction = 30, mdm.InactivityRemove
		if _, err := svc.SetDataProtection(ctx, "cli:root", w.tenant, dp); err != nil {
			t.Fatal(err)
		}
		c.Advance(31 * 24 * time.Hour)
		if r, err := svc.ApplyInactivityRule(ctx); err != nil || r.Flagged != 1 {
			t.Fatalf("%+v, %v; want one flag", r, err)
		}
		raw(t, s, "UPDATE devices SET last_contact_at = ? WHERE id = ?", c.now.Add(time.Hour), w.device.ID)
		c.Advance(15 * 24 * time.Hour)
		if r, err := svc.ApplyInactivityRule(ctx); err != nil || r.Cleared != 1 || r.Removed != 0 {
			t.Fatalf("%+v, %v; want the flag cleared and nothing removed", r, err)
		}
		if d, _ := s.Device(ctx, w.tenant.ID, w.device.ID); d.State != mdm.DeviceActive {
			t.Fatalf("device is %s, want active", d.State)
		}
	})
}
