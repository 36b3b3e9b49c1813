package store_test

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

// world is one tenant with a row of every kind, made through the domain service where it
// offers the operation and through the store where the platforms will.
type world struct {
	tenant     mdm.Tenant
	employee   mdm.Employee
	invitation mdm.Invitation
	device     mdm.Device
	policy     mdm.WorkPolicy
	command    mdm.Command
}

var testTime = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func newService(s *store.Store) *domain.Services {
	return domain.New(s, storetest.PlainSealer{}, storetest.Platforms())
}

func populate(t testing.TB, s *store.Store, svc *domain.Services, name string) world {
	t.Helper()
	ctx := context.Background()
	w := world{tenant: storetest.Tenant(t, svc, name)}
	inv, err := svc.Enrolment.Invite(ctx, "test", w.tenant, enrolment.InviteRequest{Email: "anna@" + name + ".example", Name: "Anna", Platform: mdm.PlatformIOS})
	if err != nil {
		t.Fatal(err)
	}
	w.employee, w.invitation = inv.Employee, inv.Invitation
	w.policy = mdm.WorkPolicy{ID: mdm.NewID(), Name: "Verwaltung", CreatedAt: testTime, UpdatedAt: testTime,
		Apps: []mdm.AppAssignment{{Platform: mdm.PlatformAndroid, AppID: "com.example.mail", InstallType: mdm.InstallRequired, ManagedConfig: `{"server":"mail"}`}}}
	if err := s.CreateWorkPolicy(ctx, w.tenant.ID, &w.policy); err != nil {
		t.Fatal(err)
	}
	w.device = mdm.Device{ID: mdm.NewID(), EmployeeID: w.employee.ID, InvitationID: &w.invitation.ID, WorkPolicyID: &w.policy.ID,
		Platform: mdm.PlatformIOS, PlatformID: "enrol-" + name, State: mdm.DeviceActive, OSVersion: "18.4",
		Compliance: mdm.ComplianceCompliant, CreatedAt: testTime, UpdatedAt: testTime}
	if err := s.CreateDevice(ctx, w.tenant.ID, &w.device); err != nil {
		t.Fatal(err)
	}
	w.command = mdm.Command{ID: mdm.NewID(), DeviceID: w.device.ID, Kind: mdm.CommandApplyPolicy, Payload: "{}",
		State: mdm.CommandQueued, CreatedAt: testTime}
	if err := s.CreateCommand(ctx, w.tenant.ID, &w.command); err != nil {
		t.Fatal(err)
	}
	return w
}
