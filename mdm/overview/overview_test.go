package overview_test

import (
	"context"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/jobs"
	"github.com/trennwand/trennwand/mdm/overview"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// addDevice stores an active device of a new employee with the verdict, created at `at`.
func addDevice(t *testing.T, s *store.Store, tenantID string, verdict mdm.Compliance, at time.Time) {
	t.Helper()
	ctx := context.Background()
	e := mdm.Employee{ID: mdm.NewID(), Email: mdm.NewID() + "@example.org", Name: "Erika Muster", CreatedAt: at}
	if err := store.EnrolmentOf(s).CreateEmployee(ctx, tenantID, &e); err != nil {
		t.Fatal(err)
	}
	d := mdm.Device{ID: mdm.NewID(), EmployeeID: e.ID, Platform: mdm.PlatformIOS, State: mdm.DeviceActive,
		Compliance: verdict, OSVersion: "18.1", CreatedAt: at, UpdatedAt: at}
	if err := s.Devices().CreateDevice(ctx, tenantID, &d); err != nil {
		t.Fatal(err)
	}
}

// dayOf finds the day in the figures.
func dayOf(t *testing.T, f overview.Figures, day string) overview.Day {
	t.Helper()
	for _, d := range f.Days {
		if d.Day == day {
			return d
		}
	}
	t.Fatalf("the figures have no day %s: %v … %v", day, f.Days[0].Day, f.Days[len(f.Days)-1].Day)
	return overview.Day{}
}

// The snapshot keeps one row per tenant and day: a second run on the same day replaces
// the day's counts, the next day gets a row of its own, and the other tenant's counts
// stay its own.
func TestTheDailySnapshotKeepsOneRowPerTenantAndDay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := &storetest.Clock{T: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
		svc := domain.New(s, storetest.PlainSealer{}, mdm.WithClock(clock.Now))
		a := storetest.Tenant(t, svc, "musterstadt")
		b := storetest.Tenant(t, svc, "nachbarort")
		for range 3 {
			addDevice(t, s, a.ID, mdm.ComplianceInGrace, clock.T)
		}
		addDevice(t, s, b.ID, mdm.ComplianceNonCompliant, clock.T)

		if err := svc.Overview.Snapshot(ctx); err != nil {
			t.Fatal(err)
		}
		addDevice(t, s, a.ID, mdm.ComplianceCompliant, clock.T)
		clock.Advance(time.Hour)
		if err := svc.Overview.Snapshot(ctx); err != nil {
			t.Fatal(err)
		}
		if n := storetest.Count(t, s, "compliance_days", "tenant_id = ?", a.ID); n != 1 {
			t.Fatalf("%d rows of musterstadt after two runs on one day, want 1", n)
		}
		addDevice(t, s, a.ID, mdm.ComplianceNonCompliant, clock.T)
		clock.Advance(24 * time.Hour)
		if err := svc.Overview.Snapshot(ctx); err != nil {
			t.Fatal(err)
		}

		f, err := svc.Overview.Figures(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		first := dayOf(t, f, "2026-11-02").Compliance
		if first == nil || first.InGrace != 3 || first.Compliant != 1 || first.NonCompliant != 0 {
			t.Errorf("2 November: %+v, want the last run's 3 in grace and 1 compliant", first)
		}
		if today := dayOf(t, f, "2026-11-03").Compliance; today == nil || today.NonCompliant != 1 || today.Total() != 5 {
			t.Errorf("3 November: %+v, want 5 devices with 1 non-compliant", today)
		}
		if before := dayOf(t, f, "2026-11-01").Compliance; before != nil {
			t.Errorf("1 November, before the first snapshot: %+v, want no figures", before)
		}
		other, err := svc.Overview.Figures(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		if c := dayOf(t, other, "2026-11-02").Compliance; c == nil || c.NonCompliant != 1 || c.Total() != 1 {
			t.Errorf("nachbarort on 2 November: %+v, want its one non-compliant device only", c)
		}
	})
}

// The snapshots are in the database: after a restart the history is there, and a run on
// the same day still leaves one row.
func TestTheSnapshotsSurviveARestart(t *testing.T) {
	ctx := context.Background()
	dsn, err := store.ParseDSN(storetest.NewDSN(t, storetest.SQLite))
	if err != nil {
		t.Fatal(err)
	}
	clock := &storetest.Clock{T: time.Date(2026, 11, 2, 23, 0, 0, 0, time.UTC)}
	open := func() (*store.Store, *domain.Services) {
		s, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Migrate(ctx, nil); err != nil {
			t.Fatal(err)
		}
		return s, domain.New(s, storetest.PlainSealer{}, mdm.WithClock(clock.Now))
	}
	s, svc := open()
	tn := storetest.Tenant(t, svc, "musterstadt")
	addDevice(t, s, tn.ID, mdm.ComplianceInGrace, clock.T)
	if err := svc.Overview.Snapshot(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	clock.Advance(2 * time.Hour)
	s, svc = open()
	t.Cleanup(func() { _ = s.Close() })
	if err := svc.Overview.Snapshot(ctx); err != nil {
		t.Fatal(err)
	}
	if err := svc.Overview.Snapshot(ctx); err != nil {
		t.Fatal(err)
	}
	f, err := svc.Overview.Figures(ctx, tn)
	if err != nil {
		t.Fatal(err)
	}
	if c := dayOf(t, f, "2026-11-02").Compliance; c == nil || c.InGrace != 1 {
		t.Errorf("2 November after the restart: %+v, want 1 in grace", c)
	}
	if n := storetest.Count(t, s, "compliance_days", "tenant_id = ?", tn.ID); n != 2 {
		t.Errorf("%d rows, want one for each of the two days", n)
	}
}

// The snapshot runs as a periodic job of the durable queue: a queue that starts takes it
// at once.
func TestTheQueueTakesTheSnapshot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		svc := domain.New(s, storetest.PlainSealer{})
		tn := storetest.Tenant(t, svc, "musterstadt")
		addDevice(t, s, tn.ID, mdm.ComplianceCompliant, time.Now().UTC())
		q := jobs.New(s.JobDriver(), nil, jobs.Config{Poll: 20 * time.Millisecond})
		jobs.Handle(q, svc.Overview.RunSnapshot)
		q.Every(overview.SnapshotEvery, overview.SnapshotJob{})
		if err := q.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = q.Stop(ctx)
		})
		deadline := time.Now().Add(30 * time.Second)
		for storetest.Count(t, s, "compliance_days", "tenant_id = ? AND compliant = 1", tn.ID) != 1 {
			if time.Now().After(deadline) {
				t.Fatal("the queue did not take the snapshot")
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// Enrolments are counted on the day their device was created, over the last 90 days only:
// earlier days as the snapshot counted them, today's and today's compliance as of now.
func TestFiguresCountEnrolmentsPerDay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
		svc := domain.New(s, storetest.PlainSealer{}, mdm.WithClock(func() time.Time { return now }))
		tn := storetest.Tenant(t, svc, "musterstadt")
		addDevice(t, s, tn.ID, mdm.ComplianceCompliant, now.Add(-time.Hour))
		addDevice(t, s, tn.ID, mdm.ComplianceInGrace, now.Add(-time.Hour))
		addDevice(t, s, tn.ID, mdm.ComplianceCompliant, time.Date(2026, 11, 30, 23, 59, 0, 0, time.UTC))
		addDevice(t, s, tn.ID, mdm.ComplianceCompliant, now.AddDate(0, 0, -120))
		if err := svc.Overview.Snapshot(ctx); err != nil {
			t.Fatal(err)
		}
		// Enrolled after the snapshot: today's count is the count of now.
		addDevice(t, s, tn.ID, mdm.ComplianceCompliant, now.Add(-time.Minute))

		f, err := svc.Overview.Figures(ctx, tn)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Days) != overview.Days || f.Days[len(f.Days)-1].Day != "2026-12-06" {
			t.Fatalf("%d days ending %s", len(f.Days), f.Days[len(f.Days)-1].Day)
		}
		var total int64
		for _, d := range f.Days {
			total += d.Enrolments
		}
		if got := dayOf(t, f, "2026-12-06").Enrolments; got != 3 || total != 4 {
			t.Errorf("%d enrolments today and %d in all, want 3 and 4", got, total)
		}
		if got := dayOf(t, f, "2026-11-30").Enrolments; got != 1 {
			t.Errorf("%d enrolments on 30 November, want 1", got)
		}
		if c := dayOf(t, f, "2026-12-06").Compliance; c == nil || c.Compliant != 4 || c.InGrace != 1 {
			t.Errorf("today's compliance %+v, want 4 compliant and 1 in grace", c)
		}
		if len(f.Versions) != 1 || f.Versions[0].OSVersion != "18.1" || f.Versions[0].Count != 4 || !f.VersionsAt.Equal(now) {
			t.Errorf("versions %+v at %v, want the snapshot's 4 devices on 18.1 at %v", f.Versions, f.VersionsAt, now)
		}
	})
}
