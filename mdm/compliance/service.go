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
	"github.com/trennwand/trennwand/mdm"
)

// Service carries out the compliance rules on the core's devices.
type Service struct {
	mdm.Domain[Store]
}

// New returns the compliance service on the core's store db, reaching its own tables in
// a store (or transaction) through tables.
func New(core *mdm.Service, db mdm.Store, tables func(tx mdm.Store) Store) *Service {
	return &Service{Domain: mdm.NewDomain(core, db, tables)}
}
