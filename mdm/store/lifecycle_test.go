package store_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

func TestDeviceStateChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := populate(t, s, newService(s), "musterstadt")
		later := testTime.Add(time.Hour)

		if err := s.Devices().SetDeviceState(ctx, w.tenant.ID, w.device.ID, mdm.DeviceActive, mdm.DeviceEnrolling, later); !errors.Is(err, mdm.ErrInvalid) {
			t.Fatalf("active → enrolling: %v, want ErrInvalid", err)
		}
		if err := s.Devices().SetDeviceState(ctx, w.tenant.ID, w.device.ID, mdm.DeviceEnrolling, mdm.DeviceActive, later); !errors.Is(err, mdm.ErrConflict) {
			t.Fatalf("transition from a state the device is not in: %v, want ErrConflict", err)
		}
		if err := s.Devices().SetDeviceState(ctx, w.tenant.ID, "no-such-device", mdm.DeviceActive, mdm.DeviceRemoving, later); !errors.Is(err, mdm.ErrNotFound) {
			t.Fatalf("unknown device: %v, want ErrNotFound", err)
		}
		if err := s.Devices().SetDeviceState(ctx, w.tenant.ID, w.device.ID, mdm.DeviceActive, mdm.DeviceRemoving, later); err != nil {
			t.Fatal(err)
		}
		d, err := s.Devices().Device(ctx, w.tenant.ID, w.device.ID)
		if err != nil || d.State != mdm.DeviceRemoving || !d.UpdatedAt.Equal(later) {
			t.Fatalf("after removal ordered: %+v, %v", d, err)
		}
	})
}

// Two requests that try the same transition at once, as two replicas might: exactly one
// wins, so a removal is carried out and audited once.
func TestConcurrentTransitionsHaveOneWinner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := populate(t, s, newService(s), "musterstadt")
		var wins, conflicts atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				err := s.Commands().SetCommandState(context.Background(), w.tenant.ID, w.command.ID, mdm.CommandQueued, mdm.CommandSent, "", testTime)
				switch {
				case err == nil:
					wins.Add(1)
				case errors.Is(err, mdm.ErrConflict):
					conflicts.Add(1)
				default:
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 || conflicts.Load() != 7 {
			t.Fatalf("%d sent the command, %d were refused; want 1 and 7", wins.Load(), conflicts.Load())
		}
	})
}

func TestCommandIsDeliveredOnceAndFinishes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := populate(t, s, newService(s), "musterstadt")
		sent, done := testTime.Add(time.Minute), testTime.Add(2*time.Minute)
		if err := s.Commands().SetCommandState(ctx, w.tenant.ID, w.command.ID, mdm.CommandQueued, mdm.CommandSent, "", sent); err != nil {
			t.Fatal(err)
		}
		if err := s.Commands().SetCommandState(ctx, w.tenant.ID, w.command.ID, mdm.CommandSent, mdm.CommandError, "NotNow", done); err != nil {
			t.Fatal(err)
		}
		if err := s.Commands().SetCommandState(ctx, w.tenant.ID, w.command.ID, mdm.CommandError, mdm.CommandSent, "", done); !errors.Is(err, mdm.ErrInvalid) {
			t.Fatalf("resending a finished command: %v", err)
		}
		cs, err := s.Commands().Commands(ctx, w.tenant.ID, w.device.ID)
		if err != nil || len(cs) != 1 {
			t.Fatal(cs, err)
		}
		c := cs[0]
		if c.State != mdm.CommandError || c.Error != "NotNow" || !c.SentAt.Equal(sent) || !c.FinishedAt.Equal(done) {
			t.Fatalf("command after error: %+v", c)
		}
	})
}
