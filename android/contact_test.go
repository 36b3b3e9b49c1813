package android_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// An Android phone whose work profile reports every day is never taken for inactive, even
// when the report says the same each time: each report is the device's last contact. Once
// it falls silent, the rule flags it after 30 days and locks the work profile after the
// grace period.
func TestAnAndroidPhoneReportingDailyIsNeverInactive(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		b := s.bind(t)
		push := s.localPushURL(t, b.PushURL)
		if _, err := s.svc.SetDataProtection(ctx, "admin:test", s.tenant, mdm.DataProtection{DeviceRetentionDays: 30,
			AuditRetentionYears: 3, InactivityDays: 30, InactivityGraceDays: 14, InactivityAction: mdm.InactivityLock}); err != nil {
			t.Fatal(err)
		}
		d, phone := s.active(t, "erika.mustermann@musterstadt.de")
		apply := func(when string) mdm.InactivityResult {
			t.Helper()
			r, err := s.svc.ApplyInactivityRule(ctx)
			if err != nil {
				t.Fatalf("%s: %v", when, err)
			}
			return r
		}

		for day := 1; day <= 40; day++ {
			s.pass(24 * time.Hour)
			if got := s.post(t, push, envelope(t, fmt.Sprintf("day-%d", day), "STATUS_REPORT", phone)); got != http.StatusNoContent {
				t.Fatalf("day %d: status report answered %d", day, got)
			}
			reported := s.now()
			if r := apply(fmt.Sprintf("day %d", day)); r.Flagged != 0 {
				t.Fatalf("day %d: the phone that reports daily was flagged inactive", day)
			}
			if got := s.device(t, d.ID).LastContactAt; got == nil || reported.Sub(*got) > time.Minute {
				t.Fatalf("day %d: last contact %v, want the report at %v", day, got, reported)
			}
		}

		s.pass(30*24*time.Hour - time.Hour)
		if r := apply("silent 29 days 23 hours"); r.Flagged != 0 {
			t.Fatal("flagged before 30 days of silence")
		}
		s.pass(2 * time.Hour)
		if r := apply("silent 30 days"); r.Flagged != 1 {
			t.Fatalf("after 30 days of silence: %+v, want the phone flagged", r)
		}
		s.pass(14*24*time.Hour - time.Hour)
		if r := apply("13 days 23 hours of grace"); r.Locked != 0 {
			t.Fatalf("acted within the grace period: %+v", r)
		}
		s.pass(2 * time.Hour)
		if r := apply("grace over"); r.Locked != 1 {
			t.Fatalf("after the grace period: %+v, want the work profile locked", r)
		}
	})
}
