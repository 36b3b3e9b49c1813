package store_test

import (
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// world is storetest.World as the store's tests name it.
type world struct {
	tenant     mdm.Tenant
	employee   mdm.Employee
	invitation mdm.Invitation
	device     mdm.Device
	policy     mdm.WorkPolicy
	command    mdm.Command
}

var testTime = storetest.WorldTime

func newService(s *store.Store) *domain.Services {
	return domain.New(s, storetest.PlainSealer{}, storetest.Platforms())
}

func populate(t testing.TB, s *store.Store, svc *domain.Services, name string) world {
	t.Helper()
	w := storetest.Populate(t, s, svc, name, testTime)
	return world{tenant: w.Tenant, employee: w.Employee, invitation: w.Invitation, device: w.Device, policy: w.Policy, command: w.Command}
}
