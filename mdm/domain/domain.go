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
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
)

// Services are the core's sub-domains, built on one store. What has not moved into a
// sub-domain package of its own yet is reached through the embedded service.
type Services struct {
	*mdm.Service
	Enrolment *enrolment.Service
}

// New builds every sub-domain on st, sealing secrets with sealer.
func New(st *store.Store, sealer mdm.Sealer, opts ...mdm.Option) *Services {
	core := mdm.NewService(st, sealer, opts...)
	return &Services{Service: core,
		Enrolment: enrolment.New(core, st, func(tx mdm.Store) enrolment.Store { return store.EnrolmentOf(tx) })}
}
