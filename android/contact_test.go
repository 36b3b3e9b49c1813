package android_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// An Android phone whose work profile reports every day is never taken for inactive, even
// when the report says the same each time: each report is the device's last contact. Once
// it falls silent, the rule flags it after 30 days and locks the work profile after the
// grace period.
func TestAnAndroidPhoneReportingDailyIsNeverInactive(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		push := s.localPushURL(t, s.bind(t).PushURL)
		d, phone := s.active(t, "erika.mustermann@musterstadt.de")
		storetest.CheckInactivity(t, storetest.Daily{Svc: s.svc, Tenant: s.tenant, Pass: s.pass, Now: s.now,
			Send: func(t *testing.T, day int) {
				if got := s.post(t, push, envelope(t, fmt.Sprintf("day-%d", day), "STATUS_REPORT", phone)); got != http.StatusNoContent {
					t.Fatalf("day %d: status report answered %d", day, got)
				}
			},
			Contact: func(t *testing.T) *time.Time { return s.device(t, d.ID).LastContactAt },
			Acted:   func(r dataprotection.InactivityResult) int { return r.Locked }})
	})
}
