package jobs

import (
	"context"
	"errors"

	"github.com/riverqueue/river"

	"github.com/trennwand/trennwand/mdm"
)

// HandlePlatform registers fn, a worker that calls a platform's API, as the worker for
// jobs of type T: a platform that is unavailable for now (mdm.ErrUnavailable: 429, 5xx,
// no answer) is tried again with growing pauses, and any other failure is final, since
// trying again cannot help.
func HandlePlatform[T river.JobArgs](q *Queue, fn func(ctx context.Context, args T) error) {
	Handle(q, func(ctx context.Context, args T) error {
		err := fn(ctx, args)
		if err == nil || errors.Is(err, mdm.ErrUnavailable) {
			return err
		}
		return Permanent(err)
	})
}
