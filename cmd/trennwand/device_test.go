package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// deviceList is what `device list --json` prints.
type deviceList struct {
	Tenant  string `json:"tenant"`
	Devices []struct {
		ID         string `json:"id"`
		Platform   string `json:"platform"`
		State      string `json:"state"`
		OSVersion  string `json:"os_version"`
		Compliance string `json:"compliance"`
	} `json:"devices"`
}

func TestDeviceList(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		s.run(t, "tenant", "create", "musterstadt").wantCode(t, 0)

		r := s.run(t, "device", "list", "--tenant", "musterstadt", "--json")
		r.wantCode(t, 0)
		var empty map[string]json.RawMessage
		r.decode(t, &empty)
		if string(empty["devices"]) != "[]" || string(empty["tenant"]) != `"musterstadt"` {
			t.Errorf("a new tenant's device list is\n%s\nwant the tenant and an empty list (not null)", r.stdout)
		}

		iphone := enrolDevice(t, s, "musterstadt", mdm.PlatformIOS, mdm.DeviceActive, t0)
		android := enrolDevice(t, s, "musterstadt", mdm.PlatformAndroid, mdm.DeviceEnrolling, t0.Add(time.Hour))
		enrolDevice(t, s, "default", mdm.PlatformIOS, mdm.DeviceActive, t0)

		tests := []struct {
			name   string
			filter []string
			want   []mdm.Device
		}{
			{"all, newest first", nil, []mdm.Device{android, iphone}},
			{"one platform", []string{"--platform", "ios"}, []mdm.Device{iphone}},
			{"one state", []string{"--state", "enrolling"}, []mdm.Device{android}},
			{"nothing matches", []string{"--platform", "ios", "--state", "removed"}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := s.run(t, append([]string{"device", "list", "--tenant", "musterstadt", "--json"}, tt.filter...)...)
				r.wantCode(t, 0)
				var got deviceList
				r.decode(t, &got)
				if len(got.Devices) != len(tt.want) {
					t.Fatalf("listed %d devices, want %d:\n%s", len(got.Devices), len(tt.want), r.stdout)
				}
				for i, d := range got.Devices {
					w := tt.want[i]
					if d.ID != w.ID || d.Platform != string(w.Platform) || d.State != string(w.State) ||
						d.OSVersion != w.OSVersion || d.Compliance != string(w.Compliance) {
						t.Errorf("device %d is %+v, want %s %s %s %s %s", i, d, w.ID, w.Platform, w.State, w.OSVersion, w.Compliance)
					}
				}
			})
		}

		r = s.run(t, "device", "list", "--tenant", "musterstadt")
		r.wantCode(t, 0)
		for _, want := range []string{"PLATFORM", "STATE", iphone.ID, "ios", "active", android.ID, "android", "enrolling", "never"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("the device table does not show %q:\n%s", want, r.stdout)
			}
		}
	})
}

// t0 is a fixed point in time for rows the tests write.
var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// enrolDevice stores a device of a new employee of the tenant, as a platform would after
// enrolment.
func enrolDevice(t *testing.T, s site, tenant string, platform mdm.Platform, state mdm.DeviceState, at time.Time) mdm.Device {
	t.Helper()
	return enrolOwnedDevice(t, s, tenant, platform, mdm.OwnershipPersonal, state, at)
}

// enrolOwnedDevice is enrolDevice for a phone of the ownership.
func enrolOwnedDevice(t *testing.T, s site, tenant string, platform mdm.Platform, o mdm.Ownership, state mdm.DeviceState, at time.Time) mdm.Device {
	t.Helper()
	st := s.store(t)
	ctx := t.Context()
	tn, err := st.Tenants().TenantByName(ctx, tenant)
	if err != nil {
		t.Fatal(err)
	}
	emp := mdm.Employee{ID: mdm.NewID(), Email: mdm.NewID() + "@" + tenant + ".de", CreatedAt: at}
	if err := store.EnrolmentOf(st).CreateEmployee(ctx, tn.ID, &emp); err != nil {
		t.Fatal(err)
	}
	d := mdm.Device{ID: mdm.NewID(), EmployeeID: emp.ID, Platform: platform, Ownership: o, State: state,
		OSVersion: "17.5", Compliance: mdm.ComplianceCompliant, CreatedAt: at, UpdatedAt: at}
	if err := st.Devices().CreateDevice(ctx, tn.ID, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// One truth on the command line: `device list --json` gives each device the same last
// contact and verdict as the JSON API, the dashboard, the portal and the Art. 15 report
// (api's TestEveryViewTellsTheSameContactAndVerdict has the same situations).
func TestDeviceListTellsTheSameContactAndVerdict(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		st := s.store(t)
		tn, err := st.Tenants().TenantByName(t.Context(), "default")
		if err != nil {
			t.Fatal(err)
		}
		situations := storetest.Situations(t, st, tn)
		r := s.run(t, "device", "list", "--tenant", "default", "--json")
		r.wantCode(t, 0)
		var got struct{ Devices []storetest.View }
		r.decode(t, &got)
		for _, sit := range situations {
			if err := sit.Check("device list --json", got.Devices); err != nil {
				t.Error(err)
			}
		}
	})
}
