package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
)

// World is one tenant with a row of every kind, made through the domain service where it
// offers the operation and through the store where the platforms will.
type World struct {
	Tenant     mdm.Tenant
	Employee   mdm.Employee
	Invitation mdm.Invitation
	Device     mdm.Device
	Policy     mdm.WorkPolicy
	Command    mdm.Command
}

// WorldTime is when the rows of a World are made, unless a test chooses another time.
var WorldTime = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// Populate makes a World for a new tenant named name, its rows dated at: an employee
// invited for an iPhone, an active device of theirs with a work policy, and a queued
// command for it.
func Populate(t testing.TB, s *store.Store, svc *domain.Services, name string, at time.Time) World {
	t.Helper()
	ctx := context.Background()
	w := World{Tenant: Tenant(t, svc, name)}
	inv, err := svc.Enrolment.Invite(ctx, "test", w.Tenant, enrolment.InviteRequest{Email: "anna@" + name + ".example", Name: "Anna", Platform: mdm.PlatformIOS,
		ManagedAppleID: "anna@appleid." + name + ".example"})
	if err != nil {
		t.Fatal(err)
	}
	w.Employee, w.Invitation = inv.Employee, inv.Invitation
	w.Policy = mdm.WorkPolicy{ID: mdm.NewID(), Name: "Verwaltung", CreatedAt: at, UpdatedAt: at,
		Apps: []mdm.AppAssignment{{Platform: mdm.PlatformAndroid, AppID: "com.example.mail", InstallType: mdm.InstallRequired, ManagedConfig: `{"server":"mail"}`}}}
	if err := store.WorkPoliciesOf(s).CreateWorkPolicy(ctx, w.Tenant.ID, &w.Policy); err != nil {
		t.Fatal(err)
	}
	w.Device = mdm.Device{ID: mdm.NewID(), EmployeeID: w.Employee.ID, InvitationID: &w.Invitation.ID, WorkPolicyID: &w.Policy.ID,
		Platform: mdm.PlatformIOS, PlatformID: "enrol-" + name, State: mdm.DeviceActive, OSVersion: "18.4",
		Compliance: mdm.ComplianceCompliant, CreatedAt: at, UpdatedAt: at}
	if err := s.Devices().CreateDevice(ctx, w.Tenant.ID, &w.Device); err != nil {
		t.Fatal(err)
	}
	w.Command = mdm.Command{ID: mdm.NewID(), DeviceID: w.Device.ID, Kind: mdm.CommandApplyPolicy, Payload: "{}",
		State: mdm.CommandQueued, CreatedAt: at}
	if err := s.Commands().CreateCommand(ctx, w.Tenant.ID, &w.Command); err != nil {
		t.Fatal(err)
	}
	return w
}

// Clock is a service clock that a test moves by hand.
type Clock struct{ T time.Time }

// Now is the clock's time, for mdm.WithClock.
func (c *Clock) Now() time.Time { return c.T }

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) { c.T = c.T.Add(d) }

// CountEvents returns how many of the tenant's events have the action.
func CountEvents(t testing.TB, s *store.Store, tenantID string, action audit.Action) int {
	t.Helper()
	n := 0
	err := store.TrailOf(s).AuditEvents(context.Background(), tenantID, 0, func(e audit.Event) error {
		if e.Action == action {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
