package ios_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	apple "github.com/micromdm/nanomdm/mdm"

	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
)

// When a removed iPhone's retention ends, the device row goes and, in the same sweep,
// everything the Apple MDM side kept of it: its check-in data, enrolment, certificate
// association and work apps.
func TestRetentionForgetsTheIPhoneOnTheAppleSideToo(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.pushing(t)
		if _, err := s.svc.WorkPolicy.CreateWorkPolicy(ctx, "admin:test", s.tenant, mdm.WorkPolicy{Name: "Verwaltung", Default: true,
			Apps: []mdm.AppAssignment{{Platform: mdm.PlatformIOS, AppID: mailApp, InstallType: mdm.InstallRequired, ManagedConfig: `{}`}}}); err != nil {
			t.Fatal(err)
		}
		p := s.enrolled(t, "erika")
		d := s.deviceOf(t, p)
		waitUntil(t, "the work app was queued", func() bool { return s.appleRows(t, d)["ios_work_apps"] > 0 })
		if err := s.svc.RemoveDevice(ctx, "admin:test", s.tenant, d.ID, "left the town hall"); err != nil {
			t.Fatal(err)
		}
		for remove := p.waitCommand(t); remove.Command.RequestType != "RemoveProfile"; remove = p.waitCommand(t) {
			p.next(t, "Acknowledged", remove.CommandUUID)
		}
		if status := p.checkIn(t, &apple.CheckOut{Enrollment: p.enrollment(), MessageType: apple.MessageType{MessageType: "CheckOut"}}); status != http.StatusOK {
			t.Fatalf("CheckOut: HTTP %d", status)
		}
		for table, n := range s.appleRows(t, d) {
			if n == 0 && table != "ios_queue" {
				t.Fatalf("before retention ends %s holds nothing of the phone; the test would prove nothing", table)
			}
		}

		s.retentionEnds(t)
		for table, n := range s.appleRows(t, d) {
			if n != 0 {
				t.Errorf("after retention %s still holds %d rows of the phone", table, n)
			}
		}
	})
}

// retentionEnds purges the removed devices as the domain does 31 days on, when a removed
// device's retention has ended; the one removed iPhone must go.
func (s *site) retentionEnds(t *testing.T) {
	t.Helper()
	later := domain.New(s.st, testMasterKey(t), mdm.WithPlatforms(ios.Registration()),
		mdm.WithClock(func() time.Time { return time.Now().AddDate(0, 0, 31) }))
	if n, err := later.DataProtection.PurgeRemovedDevices(context.Background()); err != nil || n != 1 {
		t.Fatalf("purge: %d devices, %v; want the removed iPhone", n, err)
	}
}

// appleRows counts, per ios_ table, the rows that belong to the device.
func (s *site) appleRows(t *testing.T, d mdm.Device) map[string]int {
	t.Helper()
	queries := map[string]string{
		"ios_devices":     "SELECT COUNT(*) FROM ios_devices WHERE id = ?",
		"ios_enrollments": "SELECT COUNT(*) FROM ios_enrollments WHERE device_id = ?",
		"ios_cert_auth":   "SELECT COUNT(*) FROM ios_cert_auth WHERE id = ?",
		"ios_queue":       "SELECT COUNT(*) FROM ios_queue WHERE id IN (SELECT id FROM ios_enrollments WHERE device_id = ?)",
		"ios_work_apps":   "SELECT COUNT(*) FROM ios_work_apps WHERE enrollment_id = ?",
	}
	out := map[string]int{}
	for table, q := range queries {
		var n int
		if err := s.st.Tables().DB().Raw(q, d.PlatformID).Row().Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}
