// Package jobs runs trennwand's background work — pushes to phones, calls to Google and
// Apple, e-mail, periodic sweeps — on a durable queue in the installation's database
// (github.com/riverqueue/river on SQLite or PostgreSQL).
//
// How a component uses it:
//
//   - Define the job as a struct with a Kind method (it satisfies mdm.Job and
//     river.JobArgs); its exported fields are stored as JSON.
//   - Queue it with mdm.Store.EnqueueJob, inside the transaction of the change that asks
//     for it (mdm.Service's atomic helper), so the job exists exactly when the change does.
//   - Register the worker before the queue starts: jobs.Handle(q, func(ctx, args) error).
//     A returned error is retried with growing pauses; jobs.Permanent(err) gives up at
//     once; jobs.Later(d) tries again after d without counting an attempt (an API's
//     "slow down"). Workers must be idempotent: after a crash a job may run again.
//   - Periodic work (sync, retention, inactivity) is registered with q.Every; only the
//     replica elected leader schedules it, so it is not run twice. Periodic jobs have a
//     queue of their own that runs one of them at a time, so that the sweeps due at the
//     same hour do not each hold their batch of the fleet in memory at once.
//
// The queue's tables are created by the store's migrations; finished jobs are deleted
// after a day, so the queue does not grow without bound.
package jobs
