// Package compliance keeps the compliance rules of work policies and the one verdict on
// each device. It owns the rule settings per work policy and their preview, the facts
// platforms report beyond a device's status, the failures with their grace periods and
// consequences (notify, mark, revoke, lock or remove the work container, as the platform
// can), the compliance e-mail, the hourly compliance job, the conditional-access answer
// (AccessOf, CertificatesWithheld), and the devices' status reports: a report's status
// and the verdict it settles are written in one transaction. VerdictOf alone decides a
// verdict; the device list reads it as stored with the device (mdm.Device.Verdict).
package compliance

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// Service carries out the compliance rules on the core's devices.
type Service struct {
	core     *mdm.Service
	db       mdm.Store
	tables   func(tx mdm.Store) Store
	settings mdm.Settings
}

// New returns the compliance service on the core's store db, reaching its own tables in
// a store (or transaction) through tables.
func New(core *mdm.Service, db mdm.Store, tables func(tx mdm.Store) Store) *Service {
	return &Service{core: core, db: db, tables: tables, settings: core.Settings()}
}

// atomic runs fn in one transaction with the time of the change.
func (s *Service) atomic(ctx context.Context, fn func(tx mdm.Store, at time.Time) error) error {
	at := s.settings.Now()
	return s.db.Atomic(ctx, func(tx mdm.Store) error { return fn(tx, at) })
}
