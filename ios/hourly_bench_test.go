package ios_test

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/ios/licences"
	"github.com/trennwand/trennwand/ios/storage/storagetest"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// BenchmarkHourlyJobs20k runs each of the server's hourly jobs once on a tenant with
// 20,000 enrolled iPhones on SQLite, each with its employee, the work policy that
// requires the mail app, and that app's licence held, as a demo server has them an hour
// after 20,000 phones enrolled. Per job it reports the bytes allocated and the peak of
// the heap (sampled every millisecond) while it ran, the pushes it caused included:
//
//	go test -run '^$' -bench 'HourlyJobs(20|50)k' -benchtime 1x -timeout 30m ./ios/
func BenchmarkHourlyJobs20k(b *testing.B) { benchmarkHourlyJobs(b, 20_000) }

// BenchmarkHourlyJobs50k is BenchmarkHourlyJobs20k with 50,000 iPhones, to show how the
// figures grow with the fleet.
func BenchmarkHourlyJobs50k(b *testing.B) { benchmarkHourlyJobs(b, 50_000) }

// BenchmarkHourlyJobs100k is BenchmarkHourlyJobs20k with 100,000 iPhones, the fleet of the
// load run (seeding takes a few minutes).
func BenchmarkHourlyJobs100k(b *testing.B) { benchmarkHourlyJobs(b, 100_000) }

func benchmarkHourlyJobs(b *testing.B, phones int) {
	ctx := context.Background()
	s := newSite(b, storetest.SQLite)
	_, token := s.withLicences(b, phones)
	if _, err := s.lic.SetLicenceToken(ctx, "admin:test", s.tenant.ID, token); err != nil {
		b.Fatal(err)
	}
	if err := s.lic.SyncCatalogue(ctx, licences.SyncJob{TenantID: s.tenant.ID}); err != nil {
		b.Fatal(err)
	}
	seedFleet(b, s, s.mailPolicy(b), phones)
	// The fleet is seeded as it is once the policy has been applied and the licences
	// reconciled: the jobs that setting them up queued have nothing left to do.
	if err := s.st.Tables().DB().Exec("DELETE FROM river_job").Error; err != nil {
		b.Fatal(err)
	}
	apns := s.pushing(b)
	apns.KeepLast(100) // as a demo server's
	for _, job := range []struct {
		name string
		run  func() error
	}{
		{"status-query", func() error {
			before := apns.Count()
			if err := s.st.Tables().DB().Exec("UPDATE ios_enrollments SET status_queried_at = NULL").Error; err != nil {
				return err
			}
			if err := s.platform.QueryStatus(ctx, ios.StatusQueryJob{}); err != nil {
				return err
			}
			s.drain(b)
			if got, want := apns.Count()-before, min(phones, 10_000); got < want {
				return fmt.Errorf("%d pushes, want one at least for each of %d phones", got, want)
			}
			return nil
		}},
		{"compliance", func() error { _, err := s.svc.Compliance.ApplyRules(ctx); return err }},
		{"overview-snapshot", func() error { return s.svc.Overview.Snapshot(ctx) }},
		{"device-retention", func() error { _, err := s.svc.DataProtection.PurgeRemovedDevices(ctx); return err }},
		{"inactivity", func() error { _, err := s.svc.DataProtection.ApplyInactivityRule(ctx); return err }},
		{"licence-sync", func() error {
			// Through the queue: the sync of each catalogue, and the reconciliation it asks for.
			if err := s.lic.SyncAllCatalogues(ctx, licences.SyncAllJob{}); err != nil {
				return err
			}
			s.drain(b)
			return nil
		}},
		{"association-of-a-backlog", func() error {
			// When the queue is behind, the hourly reconciliation of the whole tenant finds
			// the iPhones enrolled meanwhile without their licence and reserves them at once;
			// the next association has them all pending (in the load run, minutes of
			// enrolments). Up to 10,000 here, Apple's users of their employees unknown.
			tid := s.tenant.ID
			err := s.st.Tables().DB().Exec("UPDATE ios_vpp_licences SET state = 'pending', event_id = '' WHERE tenant_id = ? AND employee_id IN "+
				"(SELECT employee_id FROM ios_vpp_licences WHERE tenant_id = ? ORDER BY employee_id LIMIT ?)", tid, tid, min(phones, 10_000)).Error
			if err != nil {
				return err
			}
			// The association itself: the events it starts are polled by jobs of their own,
			// a few licences each.
			return s.lic.AssociateLicences(ctx, licences.AssociateJob{TenantID: tid})
		}},
	} {
		b.Run(job.name, func(b *testing.B) {
			var m heapWatch
			for b.Loop() {
				m.start()
				err := job.run()
				m.stop()
				if err != nil {
					b.Fatalf("%s: %v", job.name, err)
				}
			}
			m.report(b)
		})
	}
}

// drain waits until the job queue has done every job there is.
func (s *site) drain(b *testing.B) {
	b.Helper()
	waitUntil(b, "the job queue is done", func() bool {
		var n int64
		err := s.st.Tables().DB().Table("river_job").Where("state IN ?", []string{"available", "running", "scheduled", "retryable"}).Count(&n).Error
		if err != nil {
			b.Fatal(err)
		}
		return n == 0
	})
}

// seedFleet writes n enrolled iPhones straight into the tables: the enrolments, and for
// each an employee and an active device under the work policy whose employee holds the
// mail app's licence.
func seedFleet(b *testing.B, s *site, wp mdm.WorkPolicy, n int) {
	b.Helper()
	db := s.st.Tables().DB()
	ids := storagetest.SeedEnrolments(b, db, n, testTopic)
	now := time.Now().UTC().Truncate(time.Microsecond)
	type licence struct {
		TenantID, EmployeeID, AdamID, State, Error, EventID string
		UpdatedAt                                           time.Time
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		for from := 0; from < n; from += 1000 {
			var es []mdm.Employee
			var ds []mdm.Device
			var ls []licence
			for i := from; i < min(from+1000, n); i++ {
				e := mdm.Employee{ID: mdm.NewID(), TenantID: s.tenant.ID, Email: fmt.Sprintf("e%06d@musterstadt.example", i),
					ManagedAppleID: fmt.Sprintf("e%06d@musterstadt.appleid.example", i), CreatedAt: now}
				es = append(es, e)
				ds = append(ds, mdm.Device{ID: mdm.NewID(), TenantID: s.tenant.ID, EmployeeID: e.ID, WorkPolicyID: &wp.ID,
					Platform: mdm.PlatformIOS, PlatformID: ids[i], State: mdm.DeviceActive, Compliance: mdm.ComplianceCompliant,
					ReportedCompliance: mdm.ComplianceCompliant, OSVersion: "18.5", LastContactAt: &now, CreatedAt: now, UpdatedAt: now})
				ls = append(ls, licence{s.tenant.ID, e.ID, mailAdamID, "associated", "", "", now})
			}
			if err := tx.Create(&es).Error; err != nil {
				return fmt.Errorf("seed employees: %w", err)
			}
			if err := tx.Create(&ds).Error; err != nil {
				return fmt.Errorf("seed devices: %w", err)
			}
			if err := tx.Table("ios_vpp_licences").Create(&ls).Error; err != nil {
				return fmt.Errorf("seed licences: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// heapWatch measures what runs between start and stop: the bytes allocated, and the
// highest heap in use (live and not yet collected objects), sampled every millisecond.
type heapWatch struct {
	runs         int
	allocated    uint64
	peak, before uint64
	done         chan struct{}
	wg           sync.WaitGroup
	from         uint64
}

// readHeap returns the bytes allocated so far and the heap in use now; it reads into s,
// which a sampler reuses so as not to count its own allocations.
func readHeap(s []metrics.Sample) (allocs, inUse uint64) {
	s[0].Name, s[1].Name = "/gc/heap/allocs:bytes", "/memory/classes/heap/objects:bytes"
	metrics.Read(s)
	return s[0].Value.Uint64(), s[1].Value.Uint64()
}

// start collects the garbage, notes the heap and begins sampling it.
func (w *heapWatch) start() {
	runtime.GC()
	var inUse uint64
	w.from, inUse = readHeap(make([]metrics.Sample, 2))
	w.before = max(w.before, inUse)
	w.done = make(chan struct{})
	w.wg.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		samples := make([]metrics.Sample, 2)
		for {
			_, inUse := readHeap(samples)
			w.peak = max(w.peak, inUse)
			select {
			case <-w.done:
				return
			case <-tick.C:
			}
		}
	})
}

// stop ends the sampling and adds up what the run allocated.
func (w *heapWatch) stop() {
	close(w.done)
	w.wg.Wait()
	allocs, _ := readHeap(make([]metrics.Sample, 2))
	w.allocated += allocs - w.from
	w.runs++
}

// report gives the figures per run: MB allocated, the heap before (after a collection)
// and its peak, in MiB.
func (w *heapWatch) report(b *testing.B) {
	b.ReportMetric(float64(w.allocated)/float64(w.runs)/1e6, "MB-alloc/op")
	b.ReportMetric(float64(w.before)/(1<<20), "heap-before-MiB")
	b.ReportMetric(float64(w.peak)/(1<<20), "peak-heap-MiB")
}
