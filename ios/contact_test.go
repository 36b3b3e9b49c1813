package ios_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// An iPhone that checks in every day is never taken for inactive, however long its OS
// version stays the same: each check-in is the device's last contact, in the one place
// every view and the inactivity rule read. Once it falls silent, the rule flags it after
// 30 days and withdraws its work access after the grace period.
func TestAnIPhoneCheckingInDailyIsNeverInactive(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		if _, err := s.svc.SetDataProtection(ctx, "admin:test", s.tenant, mdm.DataProtection{DeviceRetentionDays: 30,
			AuditRetentionYears: 3, InactivityDays: 30, InactivityGraceDays: 14, InactivityAction: mdm.InactivityLock}); err != nil {
			t.Fatal(err)
		}
		p := s.enrolled(t, "erika")
		osVersion := s.deviceOf(t, p).OSVersion
		apply := func(day string) mdm.InactivityResult {
			t.Helper()
			r, err := s.svc.ApplyInactivityRule(ctx)
			if err != nil {
				t.Fatalf("%s: %v", day, err)
			}
			return r
		}

		for day := 1; day <= 40; day++ {
			s.pass(24 * time.Hour)
			p.report(t, "Idle", "")
			checkedIn := s.now()
			if r := apply(fmt.Sprintf("day %d", day)); r.Flagged != 0 {
				t.Fatalf("day %d: the iPhone that checks in daily was flagged inactive", day)
			}
			d := s.deviceOf(t, p)
			if d.LastContactAt == nil || checkedIn.Sub(*d.LastContactAt) > time.Minute {
				t.Fatalf("day %d: last contact %v, want the check-in at %v", day, d.LastContactAt, checkedIn)
			}
			if d.OSVersion != osVersion {
				t.Fatalf("day %d: OS version %q changed; the test needs it unchanged", day, d.OSVersion)
			}
		}

		s.pass(30*24*time.Hour - time.Hour)
		if r := apply("silent 29 days 23 hours"); r.Flagged != 0 {
			t.Fatal("flagged before 30 days of silence")
		}
		s.pass(2 * time.Hour)
		if r := apply("silent 30 days"); r.Flagged != 1 {
			t.Fatalf("after 30 days of silence: %+v, want the iPhone flagged", r)
		}
		s.pass(14*24*time.Hour - time.Hour)
		if r := apply("13 days 23 hours of grace"); r.Revoked+r.Locked != 0 {
			t.Fatalf("acted within the grace period: %+v", r)
		}
		s.pass(2 * time.Hour)
		if r := apply("grace over"); r.Revoked != 1 {
			t.Fatalf("after the grace period: %+v, want the iPhone's work access withdrawn (it has no lock)", r)
		}
	})
}
