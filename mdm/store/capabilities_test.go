package store_test

import (
	"context"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// An administrator's command is accepted for a device only where its platform registered
// the capability the command needs, and a platform that registered nothing (or is not
// registered at all) is ordered nothing that needs one. The same device is asked about
// with each registration: the answer follows the capabilities, not the platform's name.
func TestACommandIsAcceptedOnlyWhereThePlatformCan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		enrol := newService(s)
		tn := storetest.Tenant(t, enrol, "musterstadt")
		d := activeDevice(t, enrol, tn, "anna@musterstadt.example")
		needs := map[mdm.CommandKind]mdm.Capability{
			mdm.CommandLockWork: mdm.CanLockWork, mdm.CommandResetWorkPasscode: mdm.CanResetWorkPasscode,
			mdm.CommandQueryWorkApps: mdm.CanQueryWorkApps,
		}
		regs := map[string][]mdm.Registration{"not registered": nil}
		for _, can := range append(mdm.AllCapabilities(), 0) {
			regs[can.String()] = []mdm.Registration{{Platform: d.Platform, Can: can}}
		}
		for name, reg := range regs {
			svc := domain.New(s, storetest.PlainSealer{}, mdm.WithPlatforms(reg...))
			var can mdm.Capability
			if len(reg) > 0 {
				can = reg[0].Can
			}
			for kind, need := range needs {
				_, err := svc.CommandDevice(ctx, "admin:test", tn, d.ID, kind, "test")
				if accepted := err == nil; accepted != can.Has(need) {
					t.Errorf("%s: %s accepted %v (%v)", name, kind, accepted, err)
				}
			}
		}
	})
}
