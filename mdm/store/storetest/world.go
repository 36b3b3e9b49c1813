package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
)

// World is one tenant with a row of every kind: an employee invited for an iPhone, a work
// policy with an app, the employee's active iPhone under it and a command queued for it,
// made through the domain service where it offers the operation and through the store
// where the platforms will. The tests of the store and of each sub-domain start from it.
type World struct {
	Tenant     mdm.Tenant
	Employee   mdm.Employee
	Invitation mdm.Invitation
	Device     mdm.Device
	Policy     mdm.WorkPolicy
	Command    mdm.Command
}

// WorldTime is when a World's rows were made.
var WorldTime = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// Populate makes a World: a new tenant named name and its rows.
func Populate(t testing.TB, s *store.Store, svc *domain.Services, name string) World {
	t.Helper()
	ctx := context.Background()
	w := World{Tenant: Tenant(t, svc, name)}
	inv, err := svc.Invite(ctx, "test", w.Tenant, mdm.InviteRequest{Email: "anna@" + name + ".example", Name: "Anna", Platform: mdm.PlatformIOS})
	if err != nil {
		t.Fatal(err)
	}
	w.Employee, w.Invitation = inv.Employee, inv.Invitation
	w.Policy = mdm.WorkPolicy{ID: mdm.NewID(), Name: "Verwaltung", CreatedAt: WorldTime, UpdatedAt: WorldTime,
		Apps: []mdm.AppAssignment{{Platform: mdm.PlatformAndroid, AppID: "com.example.mail", InstallType: mdm.InstallRequired, ManagedConfig: `{"server":"mail"}`}}}
	if err := s.CreateWorkPolicy(ctx, w.Tenant.ID, &w.Policy); err != nil {
		t.Fatal(err)
	}
	w.Device = mdm.Device{ID: mdm.NewID(), EmployeeID: w.Employee.ID, InvitationID: &w.Invitation.ID, WorkPolicyID: &w.Policy.ID,
		Platform: mdm.PlatformIOS, PlatformID: "enrol-" + name, State: mdm.DeviceActive, OSVersion: "18.4",
		Compliance: mdm.ComplianceCompliant, CreatedAt: WorldTime, UpdatedAt: WorldTime}
	if err := s.CreateDevice(ctx, w.Tenant.ID, &w.Device); err != nil {
		t.Fatal(err)
	}
	w.Command = mdm.Command{ID: mdm.NewID(), DeviceID: w.Device.ID, Kind: mdm.CommandApplyPolicy, Payload: "{}",
		State: mdm.CommandQueued, CreatedAt: WorldTime}
	if err := s.CreateCommand(ctx, w.Tenant.ID, &w.Command); err != nil {
		t.Fatal(err)
	}
	return w
}
