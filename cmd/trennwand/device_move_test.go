package main

import (
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
)

// `device move` gives a device another work policy, named by its name or ID; a policy or
// device the tenant does not have is refused with what there is instead.
func TestDeviceMove(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		s.run(t, "tenant", "create", "musterstadt").wantCode(t, 0)
		st := s.store(t)
		ctx := t.Context()
		tn, err := st.Tenants().TenantByName(ctx, "musterstadt")
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"Verwaltung", "Außendienst"} {
			if err := store.WorkPoliciesOf(st).CreateWorkPolicy(ctx, tn.ID, &mdm.WorkPolicy{ID: mdm.NewID(), Name: name, Version: 1}); err != nil {
				t.Fatal(err)
			}
		}
		d := enrolDevice(t, s, "musterstadt", mdm.PlatformIOS, mdm.DeviceActive, t0)

		r := s.run(t, "device", "move", "--tenant", "musterstadt", d.ID, "--policy", "Außendienst", "--json")
		r.wantCode(t, 0)
		var out struct {
			ID         string `json:"id"`
			WorkPolicy string `json:"work_policy"`
		}
		r.decode(t, &out)
		got, err := st.Devices().Device(ctx, tn.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if out.WorkPolicy != "Außendienst" || got.WorkPolicyID == nil {
			t.Fatalf("after the move: printed %+v, stored policy %v", out, got.WorkPolicyID)
		}
		var moves int64
		if err := s.sql(t).Table("audit_events").Where("action = ?", "device.policy").Count(&moves).Error; err != nil || moves != 1 {
			t.Errorf("%d device.policy audit events (%v), want 1", moves, err)
		}

		r = s.run(t, "device", "move", "--tenant", "musterstadt", d.ID, "--policy", "Homeoffice")
		r.wantCode(t, 1)
		r.wantStderr(t, `no work policy "Homeoffice"`, `"Verwaltung"`, `"Außendienst"`)
		r = s.run(t, "device", "move", "--tenant", "musterstadt", "nosuchdevice", "--policy", "Verwaltung")
		r.wantCode(t, 1)
		r.wantStderr(t, `no device "nosuchdevice"`)
		s.run(t, "device", "move", "--tenant", "musterstadt", d.ID).wantCode(t, 1)
	})
}
