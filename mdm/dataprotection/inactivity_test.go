package dataprotection_test

import (
	"context"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/dataprotection"
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
		action   dataprotection.InactivityAction
		want     func(r dataprotection.InactivityResult) bool
		state    mdm.DeviceState
	}{
		{"android locked", mdm.PlatformAndroid, dataprotection.InactivityLock, func(r dataprotection.InactivityResult) bool { return r.Locked == 1 }, mdm.DeviceActive},
		{"iPhone cannot be locked: certificates revoked", mdm.PlatformIOS, dataprotection.InactivityLock, func(r dataprotection.InactivityResult) bool { return r.Revoked == 1 }, mdm.DeviceActive},
		{"removed", mdm.PlatformAndroid, dataprotection.InactivityRemove, func(r dataprotection.InactivityResult) bool { return r.Removed == 1 }, mdm.DeviceRemoving},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				ctx := context.Background()
				c := &storetest.Clock{T: testTime}
				ca := &fakeCA{}
				newSvc := func() *domain.Services {
					return domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithClock(c.Now), mdm.WithCertificates(ca), mdm.WithNoticeMail())
				}
				svc := newSvc()
				w := storetest.Populate(t, s, svc, "musterstadt", testTime)
				storetest.Exec(t, s, "UPDATE devices SET platform = ?, last_contact_at = ? WHERE id = ?", tc.platform, testTime, w.Device.ID)
				dp := dataprotection.DefaultDataProtection(w.Tenant.ID)
				dp.InactivityDays, dp.InactivityGraceDays, dp.InactivityAction = 30, 14, tc.action
				if _, err := svc.DataProtection.SetDataProtection(ctx, "cli:root", w.Tenant, dp); err != nil {
					t.Fatal(err)
				}
				run := func() dataprotection.InactivityResult {
					t.Helper()
					r, err := newSvc().DataProtection.ApplyInactivityRule(ctx)
					if err != nil {
						t.Fatal(err)
					}
					return r
				}
				c.Advance(29 * 24 * time.Hour)
				if r := run(); r != (dataprotection.InactivityResult{}) {
					t.Fatalf("after 29 days: %+v, want nothing", r)
				}
				c.Advance(2 * 24 * time.Hour)
				if r, again := run(), run(); r.Flagged != 1 || again != (dataprotection.InactivityResult{}) {
					t.Fatalf("after 31 days: %+v then %+v; want one flag", r, again)
				}
				if n := storetest.Count(t, s, "river_job", "kind = ?", dataprotection.InactivityMailJob{}.Kind()); n != 1 {
					t.Fatalf("%d notice jobs, want 1", n)
				}
				c.Advance(15 * 24 * time.Hour)
				if r, again := run(), run(); !tc.want(r) || again != (dataprotection.InactivityResult{}) {
					t.Fatalf("after the grace period: %+v then %+v", r, again)
				}
				d, _ := s.Devices().Device(ctx, w.Tenant.ID, w.Device.ID)
				if d.State != tc.state {
					t.Fatalf("device is %s, want %s", d.State, tc.state)
				}
				if n := storetest.CountEvents(t, s, w.Tenant.ID, "device.inactive"); n != 1 {
					t.Fatalf("%d inactivity events, want 1", n)
				}
				if n := storetest.CountEvents(t, s, w.Tenant.ID, "device.inactivity_action"); n != 1 {
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
		c := &storetest.Clock{T: testTime}
		svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithClock(c.Now))
		w := storetest.Populate(t, s, svc, "musterstadt", testTime)
		dp := dataprotection.DefaultDataProtection(w.Tenant.ID)
		dp.InactivityDays, dp.InactivityAction = 30, dataprotection.InactivityRemove
		if _, err := svc.DataProtection.SetDataProtection(ctx, "cli:root", w.Tenant, dp); err != nil {
			t.Fatal(err)
		}
		c.Advance(31 * 24 * time.Hour)
		if r, err := svc.DataProtection.ApplyInactivityRule(ctx); err != nil || r.Flagged != 1 {
			t.Fatalf("%+v, %v; want one flag", r, err)
		}
		storetest.Exec(t, s, "UPDATE devices SET last_contact_at = ? WHERE id = ?", c.Now().Add(time.Hour), w.Device.ID)
		c.Advance(15 * 24 * time.Hour)
		if r, err := svc.DataProtection.ApplyInactivityRule(ctx); err != nil || r.Cleared != 1 || r.Removed != 0 {
			t.Fatalf("%+v, %v; want the flag cleared and nothing removed", r, err)
		}
		if d, _ := s.Devices().Device(ctx, w.Tenant.ID, w.Device.ID); d.State != mdm.DeviceActive {
			t.Fatalf("device is %s, want active", d.State)
		}
	})
}
