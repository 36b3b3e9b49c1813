package jobs_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/jobs"
	"github.com/trennwand/trennwand/mdm/metrics"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// Each run of a job is counted under its kind with what became of it; a kind's series
// exist from its registration on, at zero, so that an alert on failures works before the
// first one.
func TestJobRunsAreCountedByKindAndResult(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		events := metrics.NewEvents()
		q := jobs.New(s.JobDriver(), nil, jobs.Config{Poll: 20 * time.Millisecond, Events: events})
		done := make(chan string, 10)
		jobs.Handle(q, func(_ context.Context, g greet) error {
			defer func() { done <- g.Name }()
			if g.Name == "unknown" {
				return jobs.Permanent(errors.New("no such person"))
			}
			return nil
		})
		if got := storetest.Scrape(t, events); !strings.Contains(got, `trennwand_job_runs_total{kind="test_greet",result="failed"} 0`) {
			t.Errorf("no zero series for the registered kind:\n%s", got)
		}
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			stop, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = q.Stop(stop)
		})
		for _, name := range []string{"anna", "unknown"} {
			if err := s.EnqueueJob(ctx, greet{Name: name}, mdm.JobOptions{}); err != nil {
				t.Fatal(err)
			}
			waitFor(t, done, name)
		}
		got := storetest.Scrape(t, events)
		for _, want := range []string{
			`trennwand_job_runs_total{kind="test_greet",result="succeeded"} 1`,
			`trennwand_job_runs_total{kind="test_greet",result="cancelled"} 1`,
			`trennwand_job_duration_seconds_count{kind="test_greet"} 2`,
			`trennwand_job_wait_seconds_count{kind="test_greet"} 2`,
			`trennwand_job_retries_total{kind="test_greet"} 0`,
		} {
			if !strings.Contains(got, want) {
				t.Errorf("the metrics lack %s:\n%s", want, got)
			}
		}
	})
}
