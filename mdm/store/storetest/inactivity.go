package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/mdm/domain"
)

// Daily is one device of a platform in the inactivity tests, on a clock the test moves.
type Daily struct {
	Svc    *domain.Services
	Tenant mdm.Tenant
	Pass   func(time.Duration) // moves the clock of Svc and of the platform on
	Now    func() time.Time
	// Send makes the device send its message of the day; Contact reads the device's
	// recorded last contact.
	Send    func(t *testing.T, day int)
	Contact func(t *testing.T) *time.Time
	// Acted is how many devices a run of the rule acted on, as the platform's action
	// (lock, or revoked access where there is no lock) counts.
	Acted func(dataprotection.InactivityResult) int
}

// CheckInactivity runs the inactivity rule (30 days, 14 days' grace, lock) against a device
// that sends something every day for 40 days, which is never flagged and whose last
// contact is always that day's message, and that then falls silent: flagged once 30 days
// have passed, acted on once the grace period has too, and not an hour before either.
func CheckInactivity(t *testing.T, d Daily) {
	t.Helper()
	ctx := context.Background()
	if _, err := d.Svc.DataProtection.SetDataProtection(ctx, "admin:test", d.Tenant, dataprotection.DataProtection{DeviceRetentionDays: 30,
		AuditRetentionYears: 3, InactivityDays: 30, InactivityGraceDays: 14, InactivityAction: dataprotection.InactivityLock}); err != nil {
		t.Fatal(err)
	}
	apply := func(when string) dataprotection.InactivityResult {
		t.Helper()
		r, err := d.Svc.DataProtection.ApplyInactivityRule(ctx)
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		return r
	}
	for day := 1; day <= 40; day++ {
		d.Pass(24 * time.Hour)
		d.Send(t, day)
		sent := d.Now()
		if r := apply("a day"); r.Flagged != 0 {
			t.Fatalf("day %d: the device that sends something daily was flagged inactive", day)
		}
		if got := d.Contact(t); got == nil || sent.Sub(*got) > time.Minute {
			t.Fatalf("day %d: last contact %v, want the message at %v", day, got, sent)
		}
	}
	d.Pass(30*24*time.Hour - time.Hour)
	if r := apply("silent 29 days 23 hours"); r.Flagged != 0 {
		t.Fatal("flagged before 30 days of silence")
	}
	d.Pass(2 * time.Hour)
	if r := apply("silent 30 days"); r.Flagged != 1 {
		t.Fatalf("after 30 days of silence: %+v, want the device flagged", r)
	}
	d.Pass(14*24*time.Hour - time.Hour)
	if r := apply("13 days 23 hours of grace"); d.Acted(r) != 0 {
		t.Fatalf("acted within the grace period: %+v", r)
	}
	d.Pass(2 * time.Hour)
	if r := apply("grace over"); d.Acted(r) != 1 {
		t.Fatalf("after the grace period: %+v, want the device acted on", r)
	}
}
