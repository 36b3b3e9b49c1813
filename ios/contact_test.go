package ios_test

import (
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// An iPhone that checks in every day is never taken for inactive, however long its OS
// version stays the same: each check-in is the device's last contact, in the one place
// every view and the inactivity rule read. Once it falls silent, the rule flags it after
// 30 days and withdraws its work access (an iPhone has no lock) after the grace period.
func TestAnIPhoneCheckingInDailyIsNeverInactive(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		p := s.enrolled(t, "erika")
		osVersion := s.deviceOf(t, p).OSVersion
		storetest.CheckInactivity(t, storetest.Daily{Svc: s.svc, Tenant: s.tenant, Pass: s.pass, Now: s.now,
			Send: func(t *testing.T, day int) { p.report(t, "Idle", "") },
			Contact: func(t *testing.T) *time.Time {
				d := s.deviceOf(t, p)
				if d.OSVersion != osVersion {
					t.Fatalf("OS version %q changed; the test needs it unchanged", d.OSVersion)
				}
				return d.LastContactAt
			},
			Acted: func(r dataprotection.InactivityResult) int { return r.Revoked + r.Locked }})
	})
}
