package android_test

import (
	"context"
	"errors"
	"testing"

	"github.com/trennwand/trennwand/mdm"
)

// Moving an enrolled phone to another work policy points its device resource at that
// policy's AMAPI policy, so the work profile gets the new policy's apps; the move is
// audited, a move to the policy the device has already is no change, and a removed
// device cannot move.
func TestMovingADeviceToAnotherPolicy(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		b := s.bind(t)
		addMailApp(s)
		office, err := s.svc.WorkPolicy.CreateWorkPolicy(ctx, "admin:test", s.tenant, mailPolicy(`{"server":"mail.musterstadt.de"}`))
		if err != nil {
			t.Fatal(err)
		}
		field := mdm.WorkPolicy{Name: "Außendienst", WorkPasscodeRequired: true}
		field, err = s.svc.WorkPolicy.CreateWorkPolicy(ctx, "admin:test", s.tenant, field)
		if err != nil {
			t.Fatal(err)
		}
		d, phone := s.active(t, "erika.mustermann@musterstadt.de")
		if phone.PolicyName != b.Enterprise+"/policies/wp-"+office.ID {
			t.Fatalf("the phone enrolled with policy %q, want the default policy %s", phone.PolicyName, office.ID)
		}

		before := s.auditCount(t)
		moved, err := s.svc.WorkPolicy.AssignWorkPolicy(ctx, "admin:test", s.tenant, d.ID, field.ID)
		if err != nil {
			t.Fatal(err)
		}
		if moved.WorkPolicyID == nil || *moved.WorkPolicyID != field.ID || *s.device(t, d.ID).WorkPolicyID != field.ID {
			t.Fatalf("after the move the device has policy %v", moved.WorkPolicyID)
		}
		dispatcher := mdm.NewDispatcher(s.svc.Service, s.platform)
		if err := dispatcher.MoveDevice(ctx, mdm.MoveDeviceJob{TenantID: s.tenant.ID, DeviceID: d.ID, PolicyID: field.ID}); err != nil {
			t.Fatalf("move job: %v", err)
		}
		now, _ := s.fake.Device(phone.Name)
		want := b.Enterprise + "/policies/wp-" + field.ID
		if now.PolicyName != want || now.AppliedPolicyName != want {
			t.Errorf("the phone has policy %q (applied %q), want %q", now.PolicyName, now.AppliedPolicyName, want)
		}
		if _, ok := s.fake.Policy(want); !ok {
			t.Error("the new work policy was not sent to Google before the device was pointed at it")
		}
		// The domain's move, the policy's first upload and the device patch.
		if got := s.auditCount(t) - before; got != 3 {
			t.Errorf("%d audit events for the move, want 3", got)
		}

		before = s.auditCount(t)
		if _, err := s.svc.WorkPolicy.AssignWorkPolicy(ctx, "admin:test", s.tenant, d.ID, field.ID); err != nil {
			t.Fatal(err)
		}
		if s.auditCount(t) != before {
			t.Error("moving a device to the policy it has was recorded as a change")
		}
		// An older move's job that runs late changes nothing.
		patches := s.fake.Calls("devices.patch")
		if err := dispatcher.MoveDevice(ctx, mdm.MoveDeviceJob{TenantID: s.tenant.ID, DeviceID: d.ID, PolicyID: office.ID}); err != nil {
			t.Fatal(err)
		}
		if s.fake.Calls("devices.patch") != patches {
			t.Error("a stale move job patched the device again")
		}

		if err := s.svc.RemoveDevice(ctx, "admin:test", s.tenant, d.ID, "left"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.svc.WorkPolicy.AssignWorkPolicy(ctx, "admin:test", s.tenant, d.ID, office.ID); !errors.Is(err, mdm.ErrConflict) {
			t.Errorf("moving a device that is being removed: %v, want ErrConflict", err)
		}
		if _, err := s.svc.WorkPolicy.AssignWorkPolicy(ctx, "admin:test", s.tenant, "no-such-device", office.ID); !errors.Is(err, mdm.ErrNotFound) {
			t.Errorf("moving an unknown device: %v, want ErrNotFound", err)
		}
	})
}
