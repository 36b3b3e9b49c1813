package mdm

import (
	"context"
	"time"
)

// Job is background work that must survive a restart: a push to a phone, a call to
// Google, an e-mail. Its fields are stored as JSON with the job; Kind names the worker
// that carries it out.
type Job interface {
	Kind() string
}

// JobOptions say when and how often a job runs. The zero value runs it as soon as a
// worker is free, retrying failures with growing pauses.
type JobOptions struct {
	// Queue is the queue the job waits in; empty is the default queue.
	Queue string
	// RunAt delays the job until then.
	RunAt time.Time
	// MaxAttempts bounds the tries; zero uses the queue's default.
	MaxAttempts int
	// Unique skips the job when one with equal kind and fields is still waiting or
	// running, so that a burst of identical requests does the work once.
	Unique bool
}

// JobStore queues jobs. Called inside Atomic, the job is queued in the same transaction as
// the change that asks for it: it exists exactly when the change does.
type JobStore interface {
	EnqueueJob(ctx context.Context, job Job, opts JobOptions) error
}
