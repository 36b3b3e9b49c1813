package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// seedDevices gives tenant n employees, each with one device, created one second apart;
// every third device is an Android phone and every fourth is still enrolling.
func seedDevices(t *testing.T, s *store.Store, tenant mdm.Tenant, n int) []mdm.Device {
	t.Helper()
	ctx := context.Background()
	var out []mdm.Device
	for i := range n {
		at := testTime.Add(time.Duration(i) * time.Second)
		e := mdm.Employee{ID: mdm.NewID(), Email: fmt.Sprintf("person%03d@example.org", i), Name: fmt.Sprintf("Person %03d", i), CreatedAt: at}
		if err := store.EnrolmentOf(s).CreateEmployee(ctx, tenant.ID, &e); err != nil {
			t.Fatal(err)
		}
		d := mdm.Device{ID: mdm.NewID(), EmployeeID: e.ID, Platform: mdm.PlatformIOS, State: mdm.DeviceActive,
			Compliance: mdm.ComplianceCompliant, CreatedAt: at, UpdatedAt: at}
		if i%3 == 0 {
			d.Platform = mdm.PlatformAndroid
		}
		if i%4 == 0 {
			d.State = mdm.DeviceEnrolling
		}
		if err := s.Devices().CreateDevice(ctx, tenant.ID, &d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// Walking a device listing page by page with the cursor of each page's last row visits
// every matching device once, newest first, whatever the filter.
func TestDevicePagesVisitEveryDeviceOnceNewestFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(s)
		tn := storetest.Tenant(t, svc, "musterstadt")
		devices := seedDevices(t, s, tn, 25)
		other := storetest.Tenant(t, svc, "nachbarort")
		seedDevices(t, s, other, 3)

		for _, tt := range []struct {
			name  string
			query mdm.DeviceQuery
			want  func(i int) bool
		}{
			{"all", mdm.DeviceQuery{}, func(int) bool { return true }},
			{"android", mdm.DeviceQuery{DeviceFilter: mdm.DeviceFilter{Platform: mdm.PlatformAndroid}}, func(i int) bool { return i%3 == 0 }},
			{"enrolling", mdm.DeviceQuery{DeviceFilter: mdm.DeviceFilter{State: mdm.DeviceEnrolling}}, func(i int) bool { return i%4 == 0 }},
			{"search by address", mdm.DeviceQuery{Search: "PERSON01"}, func(i int) bool { return i >= 10 && i < 20 }},
			{"search by name", mdm.DeviceQuery{Search: "person 02"}, func(i int) bool { return i >= 20 }},
		} {
			t.Run(tt.name, func(t *testing.T) {
				var want []string
				for i := len(devices) - 1; i >= 0; i-- {
					if tt.want(i) {
						want = append(want, devices[i].ID)
					}
				}
				var got []string
				q := tt.query
				q.Limit = 4
				for range 20 {
					page, err := svc.DevicePage(ctx, tn, q)
					if err != nil {
						t.Fatal(err)
					}
					for _, d := range page {
						got = append(got, d.ID)
						if d.EmployeeEmail == "" {
							t.Errorf("device %s listed without its employee", d.ID)
						}
					}
					if len(page) < q.Limit {
						break
					}
					last := page[len(page)-1]
					q.After = &mdm.Cursor{At: last.CreatedAt, ID: last.ID}
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("pages gave %d devices %v, want %d %v", len(got), got, len(want), want)
				}
			})
		}
	})
}
