// Package domain puts the core's sub-domains together: it builds each on the one store
// and hands callers (the API, the dashboard, the portal, the platforms, the CLI) one value
// through which they reach the sub-domain they need.
//
// Sub-domains live in packages of their own under mdm/ and depend on one another only
// downwards; the wiring of one on the next happens here, so no sub-domain needs to know
// how another is built.
package domain

import (
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/compliance"
	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/mdm/directory"
	"github.com/trennwand/trennwand/mdm/directory/ldap"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/overview"
	"github.com/trennwand/trennwand/mdm/siem"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/trail"
	"github.com/trennwand/trennwand/mdm/workpolicy"
)

// Services are the core's sub-domains, built on one store. What has not moved into a
// sub-domain package of its own yet is reached through the embedded service.
type Services struct {
	*mdm.Service
	// Trail reads, verifies, checkpoints, exports and prunes the audit trail.
	Trail *trail.Service
	// Access keeps administrators, their sign-in and sessions, and API tokens.
	Access *access.Service
	// Compliance keeps the rules, the one verdict per device and its consequences.
	Compliance *compliance.Service
	// WorkPolicy keeps the work policies, their apps and configuration, and which
	// device follows which.
	WorkPolicy *workpolicy.Service
	// DataProtection holds the tenants' settings, the inactivity rule, device retention
	// and the Art. 15 and Art. 30 reports.
	DataProtection *dataprotection.Service
	// Enrolment keeps the invitations, the portal's steps and the enrolment of a device.
	Enrolment *enrolment.Service
	// SIEM switches the tenants' feeds of the audit trail to the central log and delivers
	// them.
	SIEM *siem.Service
	// Overview gathers the figures of a tenant's overview and keeps the daily counts of
	// the compliance verdicts.
	Overview *overview.Service
	// Directory brings the employees from the tenants' directories (LDAP, SCIM):
	// joiners, movers and leavers.
	Directory *directory.Service
}

// Options are the settings of the sub-domains that take settings of their own; the zero
// value leaves each at its default.
type Options struct {
	// Trail signs and verifies the audit trail's checkpoints.
	Trail []trail.Option
}

// New builds every sub-domain on st, sealing secrets with sealer.
func New(st *store.Store, sealer mdm.Sealer, opts ...mdm.Option) *Services {
	return NewWith(st, sealer, Options{}, opts...)
}

// NewWith builds every sub-domain on st like New, with the sub-domains' options o.
func NewWith(st *store.Store, sealer mdm.Sealer, o Options, opts ...mdm.Option) *Services {
	core := mdm.NewService(st, sealer, opts...)
	s := &Services{Service: core}
	s.Trail = trail.New(core, st, func(tx mdm.Store) trail.Store { return store.TrailOf(tx) }, o.Trail...)
	s.Access = access.New(core, st, func(tx mdm.Store) access.Store { return store.AccessOf(tx) })
	s.Compliance = compliance.New(core, st, func(tx mdm.Store) compliance.Store { return store.ComplianceOf(tx) })
	s.WorkPolicy = workpolicy.New(core, st, func(tx mdm.Store) workpolicy.Store { return store.WorkPoliciesOf(tx) })
	s.DataProtection = dataprotection.New(core, st, func(tx mdm.Store) dataprotection.Store { return store.DataProtectionOf(tx) })
	s.Enrolment = enrolment.New(core, st, func(tx mdm.Store) enrolment.Store { return store.EnrolmentOf(tx) })
	s.SIEM = siem.New(core, st, func(tx mdm.Store) siem.Store { return store.SIEMOf(tx) })
	s.Overview = overview.New(core, st, func(tx mdm.Store) overview.Store { return store.OverviewOf(tx) }, s.DataProtection)
	s.Directory = directory.New(core, st, func(tx mdm.Store) directory.Store { return store.DirectoryOf(tx) },
		directoryEnrolment{s.Enrolment}, directoryPolicies{s.WorkPolicy}, directoryContacts{s.DataProtection})
	s.Directory.UseSource(ldap.New())
	s.Enrolment.UseConfirmation(s.Access.SSO(), s.Directory, nil)
	s.Trail.UseRetention(s.DataProtection)
	s.Trail.UseAccounts(accounts{s.Access})
	return s
}
