package jobs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/jobs"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// greet is a job that the tests count.
type greet struct {
	Name string `json:"name"`
}

func (greet) Kind() string { return "test_greet" }

// counter records which jobs ran.
type counter struct {
	runs  atomic.Int64
	names chan string
}

func newCounter() *counter { return &counter{names: make(chan string, 100)} }

func (c *counter) work(_ context.Context, g greet) error {
	c.runs.Add(1)
	c.names <- g.Name
	return nil
}

// start runs a queue with the worker for greet until the test ends.
func start(t *testing.T, s *store.Store, fn func(context.Context, greet) error) {
	t.Helper()
	q := jobs.New(s.JobDriver(), nil, jobs.Config{Poll: 20 * time.Millisecond})
	jobs.Handle(q, fn)
	run(t, q)
}

// run starts q, whose workers are registered, until the test ends.
func run(t *testing.T, q *jobs.Queue) {
	t.Helper()
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := q.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
}

func waitFor(t *testing.T, names <-chan string, want string) {
	t.Helper()
	select {
	case got := <-names:
		if got != want {
			t.Fatalf("worked job %q, want %q", got, want)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("job %q was not worked", want)
	}
}

func TestAJobQueuedInARolledBackTransactionNeverRuns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := newCounter()
		start(t, s, c.work)
		failed := errors.New("the change failed")
		err := s.Atomic(ctx, func(tx mdm.Store) error {
			if err := tx.EnqueueJob(ctx, greet{Name: "ghost"}, mdm.JobOptions{}); err != nil {
				return err
			}
			return failed
		})
		if !errors.Is(err, failed) {
			t.Fatalf("Atomic = %v", err)
		}
		if err := s.Atomic(ctx, func(tx mdm.Store) error {
			return tx.EnqueueJob(ctx, greet{Name: "real"}, mdm.JobOptions{})
		}); err != nil {
			t.Fatal(err)
		}
		// Jobs are worked in order of insertion; the committed one arriving first proves the
		// rolled-back one is not waiting ahead of it.
		waitFor(t, c.names, "real")
		if n := c.runs.Load(); n != 1 {
			t.Fatalf("%d jobs ran, want 1", n)
		}
	})
}

func TestAQueuedJobSurvivesARestart(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			dsnText := storetest.NewDSN(t, backend)
			dsn, err := store.ParseDSN(dsnText)
			if err != nil {
				t.Fatal(err)
			}
			first, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			if err := first.Migrate(ctx, nil); err != nil {
				t.Fatal(err)
			}
			// Queued while no worker runs, as when the server stops right after a change.
			if err := first.EnqueueJob(ctx, greet{Name: "after restart"}, mdm.JobOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := first.Close(); err != nil {
				t.Fatal(err)
			}
			second, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = second.Close() })
			c := newCounter()
			start(t, second, c.work)
			waitFor(t, c.names, "after restart")
		})
	}
}

func TestAFailedJobIsRetried(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var attempts atomic.Int64
		done := make(chan string, 1)
		start(t, s, func(_ context.Context, g greet) error {
			if attempts.Add(1) == 1 {
				return errors.New("the far side is down")
			}
			done <- g.Name
			return nil
		})
		if err := s.EnqueueJob(ctx, greet{Name: "flaky"}, mdm.JobOptions{}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, done, "flaky")
		if n := attempts.Load(); n != 2 {
			t.Fatalf("%d attempts, want 2", n)
		}
	})
}

func TestAUniqueJobIsQueuedOnceWhileItWaits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		later := mdm.JobOptions{Unique: true, RunAt: time.Now().Add(time.Hour)}
		for range 3 {
			if err := s.EnqueueJob(ctx, greet{Name: "once"}, later); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.EnqueueJob(ctx, greet{Name: "other"}, later); err != nil {
			t.Fatal(err)
		}
		var n int64
		if err := s.Tables().DB().WithContext(ctx).Table("river_job").Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Fatalf("%d jobs queued, want 2 (one per distinct job)", n)
		}
	})
}

func TestAPermanentFailureIsNotRetried(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var attempts atomic.Int64
		start(t, s, func(context.Context, greet) error {
			attempts.Add(1)
			return jobs.Permanent(errors.New("the certificate was refused"))
		})
		if err := s.EnqueueJob(ctx, greet{Name: "doomed"}, mdm.JobOptions{}); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(15 * time.Second)
		for {
			var state string
			err := s.Tables().DB().WithContext(ctx).Table("river_job").Select("state").Scan(&state).Error
			if err != nil {
				t.Fatal(err)
			}
			if state == "cancelled" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("job state %q, want cancelled", state)
			}
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond)
		if n := attempts.Load(); n != 1 {
			t.Fatalf("%d attempts, want 1", n)
		}
	})
}

// sweep is a second periodic job for the test of the periodic queue.
type sweep struct{}

func (sweep) Kind() string { return "test_sweep" }

// The periodic jobs due at the same time run one after the other, each holding its share
// of memory alone, while what one of them queues for the phones runs beside it on the
// default queue.
func TestPeriodicJobsRunOneAtATimeBesideTheWorkTheyQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		q := jobs.New(s.JobDriver(), nil, jobs.Config{Poll: 20 * time.Millisecond})
		var running, most atomic.Int64
		finished := make(chan string, 10)
		child := make(chan struct{})
		periodic := func(ctx context.Context, name string) error {
			n := running.Add(1)
			defer running.Add(-1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			if name == "sweep" {
				// What a sweep queues runs while the sweep is still running.
				if err := s.EnqueueJob(ctx, greet{Name: "child"}, mdm.JobOptions{}); err != nil {
					return err
				}
				select {
				case <-child:
				case <-time.After(15 * time.Second):
					return errors.New("the job the sweep queued did not run beside it")
				}
			}
			time.Sleep(300 * time.Millisecond)
			finished <- name
			return nil
		}
		jobs.Handle(q, func(ctx context.Context, g greet) error {
			if g.Name == "child" {
				close(child)
				return nil
			}
			return periodic(ctx, g.Name)
		})
		jobs.Handle(q, func(ctx context.Context, _ sweep) error { return periodic(ctx, "sweep") })
		q.Every(time.Hour, greet{Name: "hourly"})
		q.Every(time.Hour, sweep{})
		run(t, q)
		for range 2 {
			select {
			case <-finished:
			case <-time.After(30 * time.Second):
				t.Fatal("the periodic jobs did not run")
			}
		}
		if n := most.Load(); n != 1 {
			t.Errorf("%d periodic jobs ran at once, want one at a time", n)
		}
	})
}
