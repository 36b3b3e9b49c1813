// Package enrolment is how a phone comes under management: invitations (made one by one
// or from a CSV file, resent, revoked, mailed), the employee portal's steps on an
// invitation code (opening it under the limit of wrong guesses per client address,
// acknowledging the privacy notice, removing one's own device), and the enrolment itself,
// from redeeming the code to the platform's report that the channel is complete.
//
// It owns the invitations, the employees an invitation creates, the enrolment tokens, the
// count of wrong code guesses and the tenant's portal contacts. Its rules: a code and a
// token are kept only as hashes; a code is used once, and only before it expires or is
// revoked; an iPhone enrols only with the employee's managed Apple account; every change
// is written in one transaction with its audit event and the jobs it asks for.
package enrolment

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// Service carries out the invitations and enrolments of every tenant.
type Service struct {
	mdm.Domain[Store]
	// confirm is the employees' sign-in at their tenant's provider; off until
	// UseConfirmation.
	confirm confirmation
}

// New returns the enrolment on the domain's store db; tables gives the enrolment's own
// tables in a transaction (or, given db, outside one).
func New(core *mdm.Service, db mdm.Store, tables func(tx mdm.Store) Store) *Service {
	return &Service{Domain: mdm.NewDomain(core, db, tables)}
}

// scope is a store as the enrolment works in it: the domain's rows it reads and changes
// (tenants, employees, devices, the audit trail, jobs) and its own tables, both in the
// same transaction when it is one.
type scope struct {
	shared
	Store
}

// shared is the domain's store, under a name of its own so that it embeds beside Store.
type shared = mdm.Store

// on returns the scope of tx.
func (s *Service) on(tx mdm.Store) scope { return scope{shared: tx, Store: s.Tables(tx)} }

// atomic runs fn in one transaction with the time of the change, in the enrolment's scope.
func (s *Service) atomic(ctx context.Context, fn func(tx scope, at time.Time) error) error {
	return s.Atomic(ctx, func(tx mdm.Store, at time.Time) error { return fn(s.on(tx), at) })
}
