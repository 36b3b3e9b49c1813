package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// BenchmarkOverview100k measures the dashboard's overview page with 100,000 devices in the
// tenant, on SQLite and PostgreSQL: the counts, the charts of 90 days (past days from the
// snapshots, today from the devices), the OS versions, the inactive devices under a 30-day
// rule (one active device in 32 silent for longer), the commands failed in the last week,
// the recent events, all rendered for a signed-in administrator; and the hourly snapshot
// that keeps the figures. It reports the 95th percentile of each.
//
//	go test -run '^$' -bench Overview100k -benchtime 200x ./api/
func BenchmarkOverview100k(b *testing.B) {
	storetest.Bench(b, func(b *testing.B, s *store.Store) {
		ctx := context.Background()
		w := newAPIWorld(b, s)
		storetest.SeedDevices(b, s, w.tenant.ID, 100_000)
		now := time.Now().UTC()
		// Versions as phones report them; a contact within the last two days for all but
		// one device in 32 (IDs beginning with "2"), silent for 40 days; a command for
		// each device, of which those of the last 4 days failed.
		storetest.Exec(b, s, `UPDATE devices SET os_version = CASE WHEN platform = 'ios'
			THEN CASE WHEN created_at < ? THEN '17.6.1' ELSE '18.1' END
			ELSE CASE WHEN created_at < ? THEN '14' ELSE '15' END END`, now.AddDate(0, -6, 0), now.AddDate(0, -4, 0))
		storetest.Exec(b, s, `UPDATE devices SET last_contact_at = ? WHERE id < '3'`, now.AddDate(0, 0, -40))
		storetest.Exec(b, s, `UPDATE devices SET last_contact_at = ? WHERE id >= '3'`, now.Add(-36*time.Hour))
		storetest.Exec(b, s, `INSERT INTO commands (id, tenant_id, device_id, kind, payload, state, error, created_at, finished_at)
			SELECT 'c-' || id, tenant_id, id, 'apply_policy', '{}', CASE WHEN created_at > ? THEN 'error' ELSE 'acknowledged' END,
				'', created_at, created_at FROM devices`, now.AddDate(0, 0, -4))
		for i := 1; i < 90; i++ {
			storetest.Exec(b, s, `INSERT INTO compliance_days (tenant_id, day, compliant, in_grace, noncompliant, unknown, taken_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, w.tenant.ID, now.AddDate(0, 0, -i).Format(time.DateOnly), 40_000-i*10, 1_000+i, 18_000, 14_000, now.AddDate(0, 0, -i))
		}
		dp, err := w.svc.DataProtection.TenantDataProtection(ctx, w.tenant)
		if err != nil {
			b.Fatal(err)
		}
		dp.InactivityDays = 30
		if _, err := w.svc.DataProtection.SetDataProtection(ctx, "test", w.tenant, dp); err != nil {
			b.Fatal(err)
		}
		// A running server has folded the device counts' change rows long ago.
		if _, err := w.svc.DeviceCounts(ctx, w.tenant); err != nil {
			b.Fatal(err)
		}
		if s.Postgres() {
			storetest.Exec(b, s, "VACUUM ANALYZE")
		}
		if err := w.svc.Overview.Snapshot(ctx); err != nil {
			b.Fatal(err)
		}
		admin := w.session(w.tenant, mdm.RoleAdmin)
		b.Run("page", func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				begin := time.Now()
				code, _, body := w.page(http.MethodGet, "/ui/?lang=de", admin, nil)
				took = append(took, time.Since(begin))
				if code != http.StatusOK || !strings.Contains(body, `aria-labelledby="versions-title versions-desc"`) ||
					!strings.Contains(body, "Geräte haben sich seit mehr als 30 Tagen nicht gemeldet") {
					b.Fatalf("%d %.300s", code, body)
				}
			}
			storetest.ReportP95(b, took)
		})
		b.Run("snapshot", func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				begin := time.Now()
				if err := w.svc.Overview.Snapshot(ctx); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(begin))
			}
			storetest.ReportP95(b, took)
		})
	})
}
