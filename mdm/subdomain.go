package mdm

import (
	"context"
	"time"
)

// Domain is what every sub-domain's service is built on: the shared part of the core, the
// store its transactions run on, its view of its own tables and the core's settings. A
// sub-domain embeds it, so that each writes a change the same way (Atomic) and none keeps
// its own copy of the wiring.
type Domain[S any] struct {
	// Core is the shared part: devices, commands, platforms' capabilities.
	Core *Service
	// DB is the store the sub-domain's transactions run on, and its reads outside one.
	DB Store
	// Tables opens the sub-domain's own tables in a transaction, or outside one given DB.
	Tables func(tx Store) S
	// Settings are the core's clock, sealer, CA and mail switches.
	Settings Settings
}

// NewDomain returns the base of a sub-domain on core's store db, whose tables tables opens.
func NewDomain[S any](core *Service, db Store, tables func(tx Store) S) Domain[S] {
	return Domain[S]{Core: core, DB: db, Tables: tables, Settings: core.Settings()}
}

// Atomic runs fn in one transaction with the time of the change: the sub-domain's rows,
// the jobs they queue and their audit events commit together or not at all.
func (d Domain[S]) Atomic(ctx context.Context, fn func(tx Store, at time.Time) error) error {
	at := d.Settings.Now()
	return d.DB.Atomic(ctx, func(tx Store) error { return fn(tx, at) })
}
