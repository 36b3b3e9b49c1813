package storage

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/mdm/store"
)

// Visitor records a visit of the request's enrolment beyond the storage's own last-seen
// time: the domain's record of the device's contact, in the same transaction. The storage
// calls it only when it writes last-seen anyway, so an Idle check-in still costs one
// write a resolution at most.
type Visitor func(ctx context.Context, tx *store.Tx, at time.Time) error

type visitorKey struct{}

// WithVisitor returns a context in which every write of the enrolment's last-seen time
// also calls fn in its transaction. The HTTP layer sets it for the device a request
// authenticated as.
func WithVisitor(ctx context.Context, fn Visitor) context.Context {
	return context.WithValue(ctx, visitorKey{}, fn)
}

// visited calls the request's visitor, if it has one, in tx.
func visited(ctx context.Context, tx *store.Tx, at time.Time) error {
	if fn, _ := ctx.Value(visitorKey{}).(Visitor); fn != nil {
		return fn(ctx, tx, at)
	}
	return nil
}

// hasVisitor reports whether the request's visits go to the domain too.
func hasVisitor(ctx context.Context) bool {
	fn, _ := ctx.Value(visitorKey{}).(Visitor)
	return fn != nil
}
