package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/metrics"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// What /metrics shows about the installation is what the database holds: every tenant's
// devices by platform, state and verdict, the commands no phone has answered with the
// oldest of them, the jobs by kind and state with the longest wait, and each audit
// trail's length.
func TestMetricsReadWhatTheInstallationHolds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms())
		a, b := storetest.Tenant(t, svc, "musterstadt"), storetest.Tenant(t, svc, "nachbarort")
		storetest.SeedDevices(t, s, a.ID, 70)
		storetest.SeedDevices(t, s, b.ID, 30)
		m := s.Metrics()

		devices, err := m.Devices(ctx)
		if err != nil {
			t.Fatal(err)
		}
		perTenant := map[string]int64{}
		for _, d := range devices {
			perTenant[d.Tenant] += d.Count
		}
		if perTenant["musterstadt"] != 70 || perTenant["nachbarort"] != 30 || len(perTenant) != 2 {
			t.Errorf("devices per tenant %v, want musterstadt 70, nachbarort 30", perTenant)
		}
		for _, want := range truth(t, s, a.ID) {
			var got int64
			for _, d := range devices {
				if d.Tenant == "musterstadt" && d.Platform == string(want.Platform) && d.State == string(want.State) && d.Compliance == string(want.Compliance) {
					got += d.Count
				}
			}
			if got != want.Count {
				t.Errorf("%s %s %s: %d devices, want %d", want.Platform, want.State, want.Compliance, got, want.Count)
			}
		}

		// Two queued commands, the older an hour old, and one answered.
		var device string
		if err := s.Tables().DB().Table("devices").Where("tenant_id = ?", a.ID).Limit(1).Pluck("id", &device).Error; err != nil {
			t.Fatal(err)
		}
		hourAgo := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
		for i, c := range []struct {
			state string
			at    time.Time
		}{{"queued", hourAgo}, {"queued", hourAgo.Add(30 * time.Minute)}, {"acknowledged", hourAgo.Add(-time.Hour)}} {
			storetest.Exec(t, s, `INSERT INTO commands (id, tenant_id, device_id, kind, payload, state, error, created_at) VALUES (?, ?, ?, 'lock_work', '{}', ?, '', ?)`,
				fmt.Sprintf("c%d", i), a.ID, device, c.state, c.at)
		}
		commands, err := m.Commands(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range commands {
			switch c.State {
			case "queued":
				if c.Count != 2 || !c.Oldest.Equal(hourAgo) {
					t.Errorf("queued commands: %d, oldest %s; want 2, oldest %s", c.Count, c.Oldest, hourAgo)
				}
			case "sent":
				if c.Count != 0 {
					t.Errorf("sent commands: %d, want 0", c.Count)
				}
			default:
				t.Errorf("commands in state %q are not pending", c.State)
			}
		}

		if err := s.EnqueueJob(ctx, mdm.ApplyPolicyJob{TenantID: a.ID}, mdm.JobOptions{}); err != nil {
			t.Fatal(err)
		}
		jobs, oldest, err := m.Jobs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) != 1 || jobs[0] != (metrics.JobCount{Kind: "mdm_apply_policy", State: "available", Count: 1}) {
			t.Errorf("jobs %v, want one available mdm_apply_policy", jobs)
		}
		if oldest.IsZero() || time.Since(oldest) > time.Minute || time.Since(oldest) < -time.Minute {
			t.Errorf("the waiting job is due since %s, want about now", oldest)
		}

		if err := svc.Record(ctx, b.ID, audit.Record{Actor: "system", Action: audit.TenantCreate, Subject: audit.Tenant.Of(b.ID)}); err != nil {
			t.Fatal(err)
		}
		chains, err := m.Audit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		lengths := map[string]int64{}
		for _, c := range chains {
			lengths[c.Tenant] = c.Length
			if c.LastEventAt.IsZero() {
				t.Errorf("%s: no time of the newest event", c.Tenant)
			}
		}
		if lengths["nachbarort"] != lengths["musterstadt"]+1 {
			t.Errorf("audit chain lengths %v: nachbarort has one event more", lengths)
		}
	})
}

// BenchmarkMetricsScrape100k measures what one scrape of /metrics costs the database with
// 100,000 devices, 100,000 commands (a tenth of them still queued) and 10,000 jobs (a
// tenth waiting): every domain gauge read afresh (no cached reading), all together and
// each source alone.
//
//	go test -run '^$' -bench MetricsScrape100k -benchtime 50x ./mdm/store/
func BenchmarkMetricsScrape100k(b *testing.B) {
	storetest.Bench(b, func(b *testing.B, s *store.Store) {
		svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms())
		tn := storetest.Tenant(b, svc, "musterstadt")
		storetest.SeedDevices(b, s, tn.ID, 100_000)
		storetest.Exec(b, s, `INSERT INTO commands (id, tenant_id, device_id, kind, payload, state, error, created_at)
			SELECT 'c-' || id, tenant_id, id, 'apply_policy', '{}', CASE WHEN created_at < ? THEN 'acknowledged' ELSE 'queued' END, '', created_at FROM devices`,
			time.Now().UTC().Add(-36*24*time.Hour))
		ctx := context.Background()
		for i := range 10_000 {
			if err := s.EnqueueJob(ctx, mdm.ApplyPolicyJob{TenantID: tn.ID, PolicyID: fmt.Sprint(i)}, mdm.JobOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		storetest.Exec(b, s, `UPDATE river_job SET state = 'completed', finalized_at = scheduled_at WHERE id % 10 <> 0`)
		if s.Postgres() {
			storetest.Exec(b, s, "ANALYZE")
		}
		m := s.Metrics()
		// A running server has long folded the device counts' change rows; so does a
		// first reading here, before the measurement.
		if _, err := m.Devices(ctx); err != nil {
			b.Fatal(err)
		}
		if s.Postgres() {
			// As autovacuum would after the fold removed 100,000 rows.
			storetest.Exec(b, s, "VACUUM ANALYZE device_count_deltas")
		}
		ignore := func(fn func(ctx context.Context) error) func(ctx context.Context) ([]metrics.AuditChain, error) {
			return func(ctx context.Context) ([]metrics.AuditChain, error) { return nil, fn(ctx) }
		}
		for _, part := range []struct {
			name string
			src  metrics.Sources
		}{
			{"all", metrics.Sources{Devices: m.Devices, Commands: m.Commands, Jobs: m.Jobs, Audit: m.Audit}},
			{"devices", metrics.Sources{Devices: m.Devices}},
			{"commands", metrics.Sources{Commands: m.Commands}},
			{"jobs", metrics.Sources{Jobs: m.Jobs}},
			{"audit", metrics.Sources{Audit: m.Audit}},
			{"nothing", metrics.Sources{Audit: ignore(func(context.Context) error { return nil })}},
		} {
			b.Run(part.name, func(b *testing.B) {
				reg := prometheus.NewRegistry()
				reg.MustRegister(metrics.NewGauges(part.src, metrics.Options{Every: time.Nanosecond}))
				var took []time.Duration
				for b.Loop() {
					begin := time.Now()
					if _, err := reg.Gather(); err != nil {
						b.Fatal(err)
					}
					took = append(took, time.Since(begin))
				}
				storetest.ReportP95(b, took)
			})
		}
	})
}
