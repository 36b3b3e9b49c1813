package store_test

import (
	"context"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// Work that goes through a whole fleet (a policy applied to all its iPhones, the hourly
// compliance check) sees every device the filter selects exactly once, a batch at a time,
// and never another tenant's.
func TestEachDeviceBatchSeesEveryDeviceOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(s)
		a := storetest.Tenant(t, svc, "musterstadt")
		b := storetest.Tenant(t, svc, "beispielhausen")
		const n = 6*mdm.DeviceBatchSize + 1 // about 3 in 14 are active iPhones: more than two batches
		storetest.SeedDevices(t, s, a.ID, n)
		storetest.SeedDevices(t, s, b.ID, 600)
		f := mdm.DeviceFilter{Platform: mdm.PlatformIOS, State: mdm.DeviceActive}
		want, err := s.Devices().Devices(ctx, a.ID, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) <= mdm.DeviceBatchSize {
			t.Fatalf("only %d devices match: the test needs more than one batch", len(want))
		}
		seen := map[string]int{}
		batches := 0
		err = mdm.EachDeviceBatch(ctx, s.Devices(), a.ID, f, func(ds []mdm.Device) error {
			batches++
			if len(ds) > mdm.DeviceBatchSize {
				t.Errorf("a batch of %d devices, more than %d", len(ds), mdm.DeviceBatchSize)
			}
			for _, d := range ds {
				seen[d.ID]++
				if d.TenantID != a.ID || d.Platform != mdm.PlatformIOS || d.State != mdm.DeviceActive {
					t.Errorf("device %s of tenant %s, %s, %s does not match the filter", d.ID, d.TenantID, d.Platform, d.State)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(seen) != len(want) || batches < 2 {
			t.Fatalf("saw %d devices in %d batches, want %d in more than one", len(seen), batches, len(want))
		}
		for _, d := range want {
			if seen[d.ID] != 1 {
				t.Errorf("device %s seen %d times, want once", d.ID, seen[d.ID])
			}
		}
	})
}
