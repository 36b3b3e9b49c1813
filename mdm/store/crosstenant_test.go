package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// Two municipalities share an installation. Nothing that one of them reads or writes may
// reach the other's rows: reads find nothing, writes are refused and change nothing.
func TestTenantsCannotReachEachOther(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(s)
		a := populate(t, s, svc, "musterstadt")
		b := populate(t, s, svc, "beispieldorf")
		headBefore, err := store.TrailOf(s).AuditHead(ctx, a.tenant.ID)
		if err != nil {
			t.Fatal(err)
		}

		reads := map[string]func() error{
			"employee by id":     func() error { _, err := s.Devices().Employee(ctx, b.tenant.ID, a.employee.ID); return err },
			"employee by e-mail": func() error { _, err := s.Devices().EmployeeByEmail(ctx, b.tenant.ID, a.employee.Email); return err },
			"invitation":         func() error { _, err := store.EnrolmentOf(s).Invitation(ctx, b.tenant.ID, a.invitation.ID); return err },
			"device":             func() error { _, err := s.Devices().Device(ctx, b.tenant.ID, a.device.ID); return err },
			"work policy":        func() error { _, err := s.Policies().WorkPolicy(ctx, b.tenant.ID, a.policy.ID); return err },
		}
		for name, read := range reads {
			if err := read(); !errors.Is(err, mdm.ErrNotFound) {
				t.Errorf("read %s of another tenant: got %v, want ErrNotFound", name, err)
			}
		}
		if cs, err := s.Commands().Commands(ctx, b.tenant.ID, a.device.ID); err != nil || len(cs) != 0 {
			t.Errorf("commands of another tenant's device: %v, %v", cs, err)
		}
		for _, f := range []mdm.DeviceFilter{{}, {EmployeeID: a.employee.ID}, {Platform: mdm.PlatformIOS}} {
			ds, err := s.Devices().Devices(ctx, b.tenant.ID, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				if d.TenantID != b.tenant.ID {
					t.Errorf("device listing with %+v returned device %s of tenant %s", f, d.ID, d.TenantID)
				}
			}
		}
		err = store.TrailOf(s).AuditEvents(ctx, b.tenant.ID, 0, func(e audit.Event) error {
			if e.TenantID != b.tenant.ID {
				t.Errorf("audit listing returned event of tenant %s", e.TenantID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		writes := map[string]func() error{
			"invite another tenant's employee": func() error {
				return store.EnrolmentOf(s).CreateInvitation(ctx, b.tenant.ID, &mdm.Invitation{ID: mdm.NewID(), EmployeeID: a.employee.ID,
					CodeHash: mdm.HashInvitationCode(mdm.NewID()), Platform: mdm.PlatformAny, ExpiresAt: testTime, CreatedAt: testTime})
			},
			"enrol a device for another tenant's employee": func() error {
				return s.Devices().CreateDevice(ctx, b.tenant.ID, &mdm.Device{ID: mdm.NewID(), EmployeeID: a.employee.ID,
					Platform: mdm.PlatformAndroid, State: mdm.DeviceInvited, Compliance: mdm.ComplianceUnknown, CreatedAt: testTime, UpdatedAt: testTime})
			},
			"give a device another tenant's policy": func() error {
				return s.Devices().CreateDevice(ctx, b.tenant.ID, &mdm.Device{ID: mdm.NewID(), EmployeeID: b.employee.ID, WorkPolicyID: &a.policy.ID,
					Platform: mdm.PlatformAndroid, State: mdm.DeviceInvited, Compliance: mdm.ComplianceUnknown, CreatedAt: testTime, UpdatedAt: testTime})
			},
			"queue a command for another tenant's device": func() error {
				return s.Commands().CreateCommand(ctx, b.tenant.ID, &mdm.Command{ID: mdm.NewID(), DeviceID: a.device.ID, Kind: mdm.CommandLockWork,
					Payload: "{}", State: mdm.CommandQueued, CreatedAt: testTime})
			},
			"move another tenant's device": func() error {
				return s.Devices().SetDeviceState(ctx, b.tenant.ID, a.device.ID, mdm.DeviceActive, mdm.DeviceRemoving, testTime)
			},
			"move another tenant's command": func() error {
				return s.Commands().SetCommandState(ctx, b.tenant.ID, a.command.ID, mdm.CommandQueued, mdm.CommandSent, "", testTime)
			},
			"use another tenant's invitation": func() error {
				return store.EnrolmentOf(s).MarkInvitationUsed(ctx, b.tenant.ID, a.invitation.ID, testTime)
			},
			"rename another tenant's employee": func() error {
				e := a.employee
				e.Name = "Mallory"
				return store.EnrolmentOf(s).UpdateEmployee(ctx, b.tenant.ID, &e)
			},
			"change another tenant's policy": func() error {
				p := a.policy
				p.Name = "taken over"
				p.Apps = nil
				return store.WorkPoliciesOf(s).UpdateWorkPolicy(ctx, b.tenant.ID, &p)
			},
		}
		for name, write := range writes {
			if err := write(); !errors.Is(err, mdm.ErrNotFound) {
				t.Errorf("%s: got %v, want ErrNotFound", name, err)
			}
		}

		// Tenant a's rows are exactly as before.
		if d, err := s.Devices().Device(ctx, a.tenant.ID, a.device.ID); err != nil || d.State != mdm.DeviceActive {
			t.Errorf("device of a changed: %+v, %v", d, err)
		}
		if cs, err := s.Commands().Commands(ctx, a.tenant.ID, a.device.ID); err != nil || len(cs) != 1 || cs[0].State != mdm.CommandQueued {
			t.Errorf("commands of a changed: %+v, %v", cs, err)
		}
		if i, err := store.EnrolmentOf(s).Invitation(ctx, a.tenant.ID, a.invitation.ID); err != nil || i.UsedAt != nil {
			t.Errorf("invitation of a changed: %+v, %v", i, err)
		}
		if e, err := s.Devices().Employee(ctx, a.tenant.ID, a.employee.ID); err != nil || e.Name != "Anna" {
			t.Errorf("employee of a changed: %+v, %v", e, err)
		}
		if p, err := s.Policies().WorkPolicy(ctx, a.tenant.ID, a.policy.ID); err != nil || p.Name != "Verwaltung" || len(p.Apps) != 1 || p.Version != 1 {
			t.Errorf("policy of a changed: %+v, %v", p, err)
		}
		if ds, _ := s.Devices().Devices(ctx, b.tenant.ID, mdm.DeviceFilter{}); len(ds) != 1 {
			t.Errorf("tenant b has %d devices, want its own 1", len(ds))
		}
		headAfter, err := store.TrailOf(s).AuditHead(ctx, a.tenant.ID)
		if err != nil || headAfter.Seq != headBefore.Seq || string(headAfter.Hash) != string(headBefore.Hash) {
			t.Errorf("audit chain of a moved from %d to %d", headBefore.Seq, headAfter.Seq)
		}
	})
}
