package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"

	"github.com/trennwand/trennwand/mdm/metrics"
)

// Queue names. Pushes have their own queue so that a slow call to Google cannot hold up
// the pushes that wake phones. The periodic sweeps over a tenant's whole fleet (Every)
// have theirs, worked one at a time: each holds a batch of the fleet in memory, and run
// side by side at the hour they would add up, which is the server's highest memory. What
// a sweep queues for the phones it finds runs on the default queue, beside it.
const (
	QueueDefault  = river.QueueDefault
	QueuePush     = "push"
	QueuePeriodic = "periodic"
)

// Queue runs the workers of the installation's background jobs.
type Queue struct {
	driver   riverdriver.Driver[*sql.Tx]
	log      *slog.Logger
	workers  *river.Workers
	periodic []*river.PeriodicJob
	cfg      Config
	client   *river.Client[*sql.Tx]
}

// Config tunes the queue; the zero value suits one server on two cores.
type Config struct {
	// Workers is how many jobs of the default queue run at once; zero means 10.
	Workers int
	// PushWorkers is how many push jobs run at once; zero means 4 (each pushes many
	// phones over one HTTP/2 connection).
	PushWorkers int
	// Poll is how often an idle worker looks for new jobs; zero means 100 ms. It bounds
	// how long a queued push waits.
	Poll time.Duration
	// Events counts the job runs for /metrics; nil counts nothing.
	Events *metrics.Events
	// Queues are further queues by name with how many of their jobs run at once, for work
	// that must not hold up the default queue while a far side is slow.
	Queues map[string]int
}

// New returns a queue on the store's database driver. Register the workers, then Start.
func New(driver riverdriver.Driver[*sql.Tx], log *slog.Logger, cfg Config) *Queue {
	if cfg.Workers == 0 {
		cfg.Workers = 10
	}
	if cfg.PushWorkers == 0 {
		cfg.PushWorkers = 4
	}
	if cfg.Poll == 0 {
		cfg.Poll = 100 * time.Millisecond
	}
	return &Queue{driver: driver, log: log, workers: river.NewWorkers(), cfg: cfg}
}

// Handle registers fn as the worker for jobs of type T. Register every kind before Start.
func Handle[T river.JobArgs](q *Queue, fn func(ctx context.Context, args T) error) {
	var kind T
	q.cfg.Events.JobKind(kind.Kind())
	river.AddWorker(q.workers, river.WorkFunc(func(ctx context.Context, j *river.Job[T]) error {
		start := time.Now()
		err := fn(ctx, j.Args)
		q.cfg.Events.JobRun(j.Kind, runResult(err), start.Sub(j.ScheduledAt), time.Since(start), j.Attempt > 1)
		return err
	}))
}

// runResult names what became of a job run, for the metrics.
func runResult(err error) string {
	var cancel *river.JobCancelError
	var snooze *river.JobSnoozeError
	switch {
	case err == nil:
		return "succeeded"
	case errors.As(err, &cancel):
		return "cancelled"
	case errors.As(err, &snooze):
		return "snoozed"
	}
	return "failed"
}

// HandleAgain registers fn as the worker for jobs of type T, for work that goes on until
// it is done: when fn returns a pause, the job runs again after it without counting an
// attempt, so the queue never gives it up; fn's error with a pause is the reason, logged
// as a warning. An error without a pause is retried like any job's.
func HandleAgain[T river.JobArgs](q *Queue, fn func(ctx context.Context, args T) (time.Duration, error)) {
	Handle(q, func(ctx context.Context, args T) error {
		again, err := fn(ctx, args)
		if again <= 0 {
			return err
		}
		if err != nil && q.log != nil {
			q.log.Warn("job failed; it runs again later", "kind", args.Kind(), "in", again, "error", err)
		}
		return Later(again)
	})
}

// Every queues job at the given interval, the first time when the queue starts, on the
// periodic queue, where one job runs at a time. Only one replica (the elected leader)
// schedules periodic jobs.
func (q *Queue) Every(interval time.Duration, job river.JobArgs) {
	q.periodic = append(q.periodic, river.NewPeriodicJob(
		river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) { return job, &river.InsertOpts{Queue: QueuePeriodic} },
		&river.PeriodicJobOpts{RunOnStart: true},
	))
}

// Start begins working jobs until Stop.
func (q *Queue) Start(ctx context.Context) error {
	if q.client != nil {
		return errors.New("job queue: already started")
	}
	queues := map[string]river.QueueConfig{
		QueueDefault: {MaxWorkers: q.cfg.Workers},
		QueuePush:    {MaxWorkers: q.cfg.PushWorkers},
		// One periodic sweep at a time, in every server: see QueuePeriodic.
		QueuePeriodic: {MaxWorkers: 1},
	}
	for name, workers := range q.cfg.Queues {
		queues[name] = river.QueueConfig{MaxWorkers: workers}
	}
	c, err := river.NewClient(q.driver, &river.Config{
		Queues:                      queues,
		Workers:                     q.workers,
		PeriodicJobs:                q.periodic,
		PollOnly:                    true,
		FetchPollInterval:           q.cfg.Poll,
		FetchCooldown:               q.cfg.Poll / 4,
		CompletedJobRetentionPeriod: 24 * time.Hour,
		JobTimeout:                  5 * time.Minute,
		Logger:                      quiet(q.log),
	})
	if err != nil {
		return fmt.Errorf("job queue: %w", err)
	}
	if err := c.Start(ctx); err != nil {
		return fmt.Errorf("job queue: start: %w", err)
	}
	q.client = c
	return nil
}

// Stop lets running jobs finish (until ctx ends, after which they are cancelled and run
// again later) and stops fetching new ones.
func (q *Queue) Stop(ctx context.Context) error {
	if q.client == nil {
		return nil
	}
	err := q.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		err = q.client.StopAndCancel(context.Background())
	}
	return err
}

// Permanent marks err as not worth retrying: the job is given up and err recorded.
func Permanent(err error) error { return river.JobCancel(err) }

// Later asks for the job to run again after d without counting a failed attempt, for an
// API that asked us to slow down.
func Later(d time.Duration) error { return river.JobSnooze(d) }

// quiet passes on the queue library's warnings and errors only; its informational
// messages would drown the server's own log.
func quiet(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(levelFloor{log.Handler(), slog.LevelWarn})
}

type levelFloor struct {
	slog.Handler
	min slog.Level
}

func (h levelFloor) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelFloor) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFloor{h.Handler.WithAttrs(a), h.min}
}

func (h levelFloor) WithGroup(n string) slog.Handler {
	return levelFloor{h.Handler.WithGroup(n), h.min}
}
