package enrolment_test

import (
	"context"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// world is one tenant with one invited employee.
type world struct {
	tenant     mdm.Tenant
	employee   mdm.Employee
	invitation mdm.Invitation
}

var testTime = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func newService(s *store.Store) *domain.Services {
	return domain.New(s, storetest.PlainSealer{}, storetest.Platforms())
}

func populate(t testing.TB, svc *domain.Services, name string) world {
	t.Helper()
	w := world{tenant: storetest.Tenant(t, svc, name)}
	inv, err := svc.Enrolment.Invite(context.Background(), "test", w.tenant,
		enrolment.InviteRequest{Email: "anna@" + name + ".example", Name: "Anna", Platform: mdm.PlatformIOS,
			ManagedAppleID: "anna@appleid." + name + ".example"})
	if err != nil {
		t.Fatal(err)
	}
	w.employee, w.invitation = inv.Employee, inv.Invitation
	return w
}

// fakeCA records the enrolments whose certificates the domain revokes.
type fakeCA struct {
	revoked []string // tenant/enrolment of each call
}

func (f *fakeCA) RevokeEnrolment(_ context.Context, tenantID, enrolmentID, _ string) (int, error) {
	f.revoked = append(f.revoked, tenantID+"/"+enrolmentID)
	return 1, nil
}
