package enrolment_test

import (
	"context"
	"errors"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// A phone enrols only the way of its invitation's ownership: an enrolment for a
// company-owned phone does not redeem an invitation for the employee's own, nor the
// reverse. The invitation stays unused, no device is made, and the refusal is on record;
// the right way then redeems it, and the device has the invitation's ownership.
func TestAnInvitationIsRedeemedOnlyForItsOwnership(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(s)
		w := populate(t, svc, "musterstadt")
		invite := func(name string, o mdm.Ownership) string {
			inv, err := svc.Enrolment.Invite(ctx, "test", w.tenant, enrolment.InviteRequest{Email: name + "@musterstadt.example",
				Platform: mdm.PlatformIOS, ManagedAppleID: name + "@appleid.musterstadt.example", Ownership: o})
			if err != nil {
				t.Fatal(err)
			}
			return inv.Code
		}
		own, company := invite("paul", mdm.OwnershipPersonal), invite("carl", mdm.OwnershipCompany)
		for _, c := range []struct {
			code string
			way  mdm.Ownership
		}{{own, mdm.OwnershipCompany}, {company, mdm.OwnershipPersonal}} {
			_, err := svc.Enrolment.StartEnrolment(ctx, enrolment.EnrolmentRequest{Code: c.code, Platform: mdm.PlatformIOS, Ownership: c.way})
			var wrong *enrolment.OwnershipError
			if !errors.As(err, &wrong) || !errors.Is(err, mdm.ErrInvalid) || wrong.Enrolment != c.way {
				t.Errorf("an enrolment for a %s phone: %v, want the ownership refused", c.way, err)
			}
		}
		if ds, err := svc.Devices(ctx, w.tenant, mdm.DeviceFilter{}); err != nil || len(ds) != 0 {
			t.Fatalf("devices after the refusals: %v %v", ds, err)
		}
		refused := 0
		err := store.TrailOf(s).AuditEvents(ctx, w.tenant.ID, 0, func(e audit.Event) error {
			if e.Action == audit.InvitationOwnershipRefused {
				refused++
			}
			return nil
		})
		if err != nil || refused != 2 {
			t.Errorf("%d refusals on record (%v), want 2", refused, err)
		}

		started, err := svc.Enrolment.StartEnrolment(ctx, enrolment.EnrolmentRequest{Code: company, Platform: mdm.PlatformIOS,
			Ownership: mdm.OwnershipCompany})
		if err != nil || started.Device.Ownership != mdm.OwnershipCompany {
			t.Fatalf("the company invitation on the company way: %+v %v", started.Device, err)
		}
	})
}
