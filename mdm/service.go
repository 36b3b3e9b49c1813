package mdm

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/metrics"
)

// Service carries out what administrators, employees and platforms ask for, keeping the
// domain's rules: every change is validated, scoped to its tenant and written in one
// transaction together with its audit event.
type Service struct {
	store  Store
	sealer Sealer
	certs  Certificates
	now    func() time.Time
	// mailInvitations makes new invitations queue their e-mail.
	mailInvitations bool
	// mailNotices makes the inactivity rule queue its e-mail notices.
	mailNotices bool
	// platforms are the registered platforms, each with its capabilities.
	platforms []Registration
	// events counts what happens for /metrics; nil counts nothing.
	events *metrics.Events
}

// Option configures a Service.
type Option func(*Service)

// WithNoticeMail makes the inactivity and compliance rules queue their e-mail notices; the
// installation sets it when SMTP is configured. Without it the rules notify through the
// audit trail only.
func WithNoticeMail() Option {
	return func(s *Service) { s.mailNotices = true }
}

// WithClock replaces the clock, for tests that need fixed times.
func WithClock(now func() time.Time) Option {
	return func(s *Service) { s.now = now }
}

// WithInvitationMail makes every new invitation queue its e-mail, in the transaction that
// creates it; the installation sets it when SMTP is configured.
func WithInvitationMail() Option {
	return func(s *Service) { s.mailInvitations = true }
}

// WithEvents counts enrolments and command results in events, for /metrics.
func WithEvents(events *metrics.Events) Option {
	return func(s *Service) { s.events = events }
}

// NewService returns a service on store, sealing secrets with sealer.
func NewService(store Store, sealer Sealer, opts ...Option) *Service {
	s := &Service{store: store, sealer: sealer, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	s.expectResults()
	return s
}

// expectResults makes the metrics' series of command results exist for every platform
// and command kind.
func (s *Service) expectResults() {
	platforms := make([]string, 0, len(s.platforms))
	for _, r := range s.platforms {
		platforms = append(platforms, string(r.Platform))
	}
	kinds := make([]string, 0, len(commandKinds))
	for _, k := range commandKinds {
		kinds = append(kinds, string(k))
	}
	s.events.Commands(platforms, kinds)
}

// clock returns the current time as it is stored: UTC, microseconds, the precision that
// every supported database keeps unchanged.
func (s *Service) clock() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

// Now returns the time of a change as the service stores it, for components that write
// in a transaction of their own tables what the service would otherwise time.
func (s *Service) Now() time.Time { return s.clock() }

// atomic runs fn in one transaction with the time of the change.
func (s *Service) atomic(ctx context.Context, fn func(tx Store, at time.Time) error) error {
	at := s.clock()
	return s.store.Atomic(ctx, func(tx Store) error { return fn(tx, at) })
}

// Record appends an audit event for something done outside the domain's own writes, such
// as a certificate revoked by the CA. Changes made through the service record their events
// themselves, in the same transaction.
func (s *Service) Record(ctx context.Context, tenantID string, rec audit.Record) error {
	_, err := s.store.AppendAudit(ctx, tenantID, s.clock(), rec)
	return err
}

// Settings are what a service was built with, handed to the sub-domains built beside it
// so that all of them keep one clock, one sealer and one CA.
type Settings struct {
	// Now is the time of a change as it is stored (UTC, microseconds).
	Now          func() time.Time
	Sealer       Sealer
	Certificates Certificates
	// MailInvitations makes new invitations queue their e-mail; MailNotices does the same
	// for the notices of the inactivity and compliance rules.
	MailInvitations, MailNotices bool
	// Events counts what happens for /metrics; nil counts nothing.
	Events *metrics.Events
}

// Settings returns what the service was built with.
func (s *Service) Settings() Settings {
	return Settings{Now: s.clock, Sealer: s.sealer, Certificates: s.certs,
		MailInvitations: s.mailInvitations, MailNotices: s.mailNotices, Events: s.events}
}
