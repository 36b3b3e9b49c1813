package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/trennwand/trennwand/mdm"
)

// The job queue lives in the same database as everything else, in the tables of
// github.com/riverqueue/river, so that a job is queued in the transaction of the change
// that asks for it and survives a restart. The store only queues; package mdm/jobs runs
// the workers.

// JobDriver returns the queue's database driver, for the component that runs the workers.
func (s *Store) JobDriver() riverdriver.Driver[*sql.Tx] {
	return s.jobDriver
}

func newJobDriver(sqlDB *sql.DB, postgres bool) riverdriver.Driver[*sql.Tx] {
	if postgres {
		return riverdatabasesql.New(sqlDB)
	}
	return riversqlite.New(sqlDB)
}

// newJobInserter returns a client that only inserts: it has no queues, so it starts no
// goroutines and needs no workers.
func newJobInserter(driver riverdriver.Driver[*sql.Tx]) (*river.Client[*sql.Tx], error) {
	c, err := river.NewClient(driver, &river.Config{})
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	return c, nil
}

// uniqueWhileWaiting makes a job unique among the jobs not yet finished; a finished one
// does not stop the same work from being asked for again.
var uniqueWhileWaiting = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
	rivertype.JobStateRunning, rivertype.JobStateScheduled,
}

// JobInsertOpts translates the domain's job options into the queue's.
func JobInsertOpts(o mdm.JobOptions) *river.InsertOpts {
	opts := &river.InsertOpts{Queue: o.Queue, ScheduledAt: o.RunAt, MaxAttempts: o.MaxAttempts}
	if o.Unique {
		opts.UniqueOpts = river.UniqueOpts{ByArgs: true, ByState: uniqueWhileWaiting}
	}
	return opts
}

// EnqueueJob queues job; inside Atomic it belongs to the transaction.
func (s *Store) EnqueueJob(ctx context.Context, job mdm.Job, o mdm.JobOptions) error {
	var err error
	if tx, ok := s.db.Statement.ConnPool.(*sql.Tx); ok {
		_, err = s.jobs.InsertTx(ctx, tx, job, JobInsertOpts(o))
	} else {
		_, err = s.jobs.Insert(ctx, job, JobInsertOpts(o))
	}
	if err != nil {
		return fmt.Errorf("queue job %s: %w", job.Kind(), err)
	}
	return nil
}
