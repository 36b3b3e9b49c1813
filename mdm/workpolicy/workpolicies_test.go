package workpolicy_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

var testTime = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// office is one tenant with one work policy (an Android mail app with its configuration)
// and an employee's active iPhone that has it.
type office struct {
	svc    *domain.Services
	tenant mdm.Tenant
	policy mdm.WorkPolicy
	device mdm.Device
}

func newOffice(t *testing.T, s *store.Store, name string) office {
	t.Helper()
	ctx := context.Background()
	o := office{svc: domain.New(s, storetest.PlainSealer{}, storetest.Platforms())}
	o.tenant = storetest.Tenant(t, o.svc, name)
	inv, err := o.svc.Enrolment.Invite(ctx, "test", o.tenant, enrolment.InviteRequest{Email: "anna@" + name + ".example", Name: "Anna", Platform: mdm.PlatformIOS,
		ManagedAppleID: "anna@appleid." + name + ".example"})
	if err != nil {
		t.Fatal(err)
	}
	o.policy, err = o.svc.WorkPolicy.CreateWorkPolicy(ctx, "test", o.tenant, mdm.WorkPolicy{Name: "Verwaltung",
		Apps: []mdm.AppAssignment{{Platform: mdm.PlatformAndroid, AppID: "com.example.mail", InstallType: mdm.InstallRequired, ManagedConfig: `{"server":"mail"}`}}})
	if err != nil {
		t.Fatal(err)
	}
	o.device = mdm.Device{ID: mdm.NewID(), EmployeeID: inv.Employee.ID, InvitationID: &inv.Invitation.ID,
		WorkPolicyID: &o.policy.ID, Platform: mdm.PlatformIOS, State: mdm.DeviceActive, CreatedAt: testTime, UpdatedAt: testTime}
	if err := s.Devices().CreateDevice(ctx, o.tenant.ID, &o.device); err != nil {
		t.Fatal(err)
	}
	return o
}

func TestWorkPolicyVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newOffice(t, s, "musterstadt")

		mine, theirs := w.policy, w.policy
		mine.Apps = []mdm.AppAssignment{
			{Platform: mdm.PlatformIOS, AppID: "de.example.messenger", InstallType: mdm.InstallAvailable, ManagedConfig: "{}"},
			{Platform: mdm.PlatformAndroid, AppID: "com.example.messenger", InstallType: mdm.InstallRequired, ManagedConfig: `{"a":1}`},
		}
		mine.CopyPasteToPersonal = true
		if err := store.WorkPoliciesOf(s).UpdateWorkPolicy(ctx, w.tenant.ID, &mine); err != nil {
			t.Fatal(err)
		}
		if mine.Version != 2 {
			t.Fatalf("version after update: %d", mine.Version)
		}
		theirs.Name = "Written on an old copy"
		if err := store.WorkPoliciesOf(s).UpdateWorkPolicy(ctx, w.tenant.ID, &theirs); !errors.Is(err, mdm.ErrConflict) {
			t.Fatalf("update from a stale copy: %v, want ErrConflict", err)
		}
		got, err := s.Policies().WorkPolicy(ctx, w.tenant.ID, w.policy.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 2 || got.Name != "Verwaltung" || !got.CopyPasteToPersonal || len(got.Apps) != 2 ||
			got.Apps[0].AppID != "com.example.messenger" || got.Apps[0].ManagedConfig != `{"a":1}` {
			t.Fatalf("stored policy: %+v", got)
		}
	})
}

// An administrator who saves a policy from an old copy is told so, and the newer version
// stays; a policy that breaks the rules is refused before anything is stored.
func TestAChangeFromAnOldCopyIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o := newOffice(t, s, "musterstadt")
		wp := o.svc.WorkPolicy

		mine, err := wp.WorkPolicy(ctx, o.tenant, o.policy.ID)
		if err != nil {
			t.Fatal(err)
		}
		theirs := mine
		mine.WorkPasscodeRequired = true
		if mine, err = wp.UpdateWorkPolicy(ctx, "admin:anna", o.tenant, mine); err != nil {
			t.Fatal(err)
		}
		if mine.Version != 2 || mine.UpdatedAt.Before(mine.CreatedAt) || !mine.CreatedAt.Equal(o.policy.CreatedAt) {
			t.Fatalf("after the update: version %d, created %v, updated %v", mine.Version, mine.CreatedAt, mine.UpdatedAt)
		}
		theirs.Name = "Bauamt"
		if _, err := wp.UpdateWorkPolicy(ctx, "admin:bernd", o.tenant, theirs); !errors.Is(err, mdm.ErrConflict) {
			t.Fatalf("update from the old copy: %v, want ErrConflict", err)
		}
		if _, err := wp.UpdateWorkPolicy(ctx, "admin:bernd", o.tenant, mdm.WorkPolicy{ID: o.policy.ID, Name: " ", Version: 2}); !errors.Is(err, mdm.ErrInvalid) {
			t.Fatalf("update without a name: %v, want ErrInvalid", err)
		}
		got, err := wp.WorkPolicy(ctx, o.tenant, o.policy.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 2 || got.Name != "Verwaltung" || !got.WorkPasscodeRequired || len(got.Apps) != 1 {
			t.Fatalf("stored policy: %+v", got)
		}
	})
}

// A tenant's first policy is its default, so that its devices get a policy without a
// further step; making another one the default leaves exactly one.
func TestTheFirstPolicyIsTheDefault(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms())
		tn := storetest.Tenant(t, svc, "musterstadt")
		wp := svc.WorkPolicy

		first, err := wp.CreateWorkPolicy(ctx, "admin:test", tn, mdm.WorkPolicy{Name: " Verwaltung "})
		if err != nil {
			t.Fatal(err)
		}
		second, err := wp.CreateWorkPolicy(ctx, "admin:test", tn, mdm.WorkPolicy{Name: "Außendienst"})
		if err != nil {
			t.Fatal(err)
		}
		if !first.Default || second.Default || first.Name != "Verwaltung" || first.Version != 1 {
			t.Fatalf("created %+v and %+v; want the first as the default", first, second)
		}
		if err := wp.SetDefaultWorkPolicy(ctx, "admin:test", tn, second.ID); err != nil {
			t.Fatal(err)
		}
		ps, err := wp.WorkPolicies(ctx, tn)
		if err != nil {
			t.Fatal(err)
		}
		defaults := map[string]bool{}
		for _, p := range ps {
			defaults[p.Name] = p.Default
		}
		if len(ps) != 2 || defaults["Verwaltung"] || !defaults["Außendienst"] {
			t.Fatalf("defaults after the change: %v", defaults)
		}
		if err := wp.SetDefaultWorkPolicy(ctx, "admin:test", tn, "no-such-policy"); !errors.Is(err, mdm.ErrNotFound) {
			t.Fatalf("default of an unknown policy: %v, want ErrNotFound", err)
		}
	})
}

// Moving a device to another policy changes the policy it has; moving it to the policy it
// has already changes nothing; a device on its way out, or a policy of another tenant,
// cannot be moved to.
func TestMovingADevice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o := newOffice(t, s, "musterstadt")
		other := newOffice(t, s, "nachbarstadt")
		wp := o.svc.WorkPolicy

		field, err := wp.CreateWorkPolicy(ctx, "admin:test", o.tenant, mdm.WorkPolicy{Name: "Außendienst"})
		if err != nil {
			t.Fatal(err)
		}
		moved, err := wp.AssignWorkPolicy(ctx, "admin:test", o.tenant, o.device.ID, field.ID)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := s.Devices().Device(ctx, o.tenant.ID, o.device.ID)
		if err != nil {
			t.Fatal(err)
		}
		if moved.WorkPolicyID == nil || *moved.WorkPolicyID != field.ID || *stored.WorkPolicyID != field.ID || !stored.UpdatedAt.Equal(moved.UpdatedAt) {
			t.Fatalf("after the move: %v, stored %v", moved.WorkPolicyID, stored.WorkPolicyID)
		}
		again, err := wp.AssignWorkPolicy(ctx, "admin:test", o.tenant, o.device.ID, field.ID)
		if err != nil || !again.UpdatedAt.Equal(moved.UpdatedAt) {
			t.Fatalf("moving to the same policy: %v, updated %v (was %v)", err, again.UpdatedAt, moved.UpdatedAt)
		}
		if _, err := wp.AssignWorkPolicy(ctx, "admin:test", o.tenant, o.device.ID, other.policy.ID); !errors.Is(err, mdm.ErrNotFound) {
			t.Fatalf("moving to another tenant's policy: %v, want ErrNotFound", err)
		}
		if _, err := wp.AssignWorkPolicy(ctx, "admin:test", o.tenant, other.device.ID, field.ID); !errors.Is(err, mdm.ErrNotFound) {
			t.Fatalf("moving another tenant's device: %v, want ErrNotFound", err)
		}
		if err := s.Devices().SetDeviceState(ctx, o.tenant.ID, o.device.ID, mdm.DeviceActive, mdm.DeviceRemoving, testTime); err != nil {
			t.Fatal(err)
		}
		if _, err := wp.AssignWorkPolicy(ctx, "admin:test", o.tenant, o.device.ID, o.policy.ID); !errors.Is(err, mdm.ErrConflict) {
			t.Fatalf("moving a device that is being removed: %v, want ErrConflict", err)
		}
	})
}
