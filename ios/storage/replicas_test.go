package storage_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// replicas returns two storages on one fresh database, each with its own connections, as
// two replicas of the server have.
func replicas(t *testing.T, backend string) ([2]*storage.Storage, *store.Store) {
	t.Helper()
	dsn, err := store.ParseDSN(storetest.NewDSN(t, backend))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var out [2]*storage.Storage
	var first *store.Store
	for i := range out {
		st, err := store.Open(ctx, dsn, store.WithMigrations(store.MigrationSource{Name: "ios", FS: ios.Migrations()}))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		if err := st.Migrate(ctx, nil); err != nil {
			t.Fatal(err)
		}
		out[i] = storage.New(st.Tables(), storetest.PlainSealer{})
		if first == nil {
			first = st
		}
	}
	return out, first
}

// Many devices answering the same command at once through two replicas: whoever answers
// last, the command goes with the last queue row.
func TestConcurrentFinalAnswersLeaveNoCommand(t *testing.T) {
	const devices, commands = 16, 8
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			reps, st := replicas(t, backend)
			ds := make([]*device, devices)
			ids := make([]string, devices)
			for i := range ds {
				ds[i] = newDevice(t)
				ds[i].enrol(t, server(reps[0]))
				ids[i] = ds[i].id
			}
			for c := range commands {
				if _, err := reps[c%2].EnqueueCommand(context.Background(), ids, command(t, fmt.Sprintf("CMD%d", c))); err != nil {
					t.Fatal(err)
				}
			}
			var wg sync.WaitGroup
			for i, d := range ds {
				wg.Go(func() {
					svc := server(reps[i%2])
					next, err := d.send(t, svc, "Idle", "")
					for err == nil && next != "" {
						next, err = d.send(t, svc, "Acknowledged", next)
					}
					if err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			wantRows(t, st, "ios_queue", 0)
			wantRows(t, st, "ios_commands", 0)
		})
	}
}

// Commands queued through one replica while the devices check out through the other:
// no command stays queued for an enrolment that is not enrolled.
func TestEnqueueRacingCheckOutLeavesNoQueueBehind(t *testing.T) {
	const devices, commands = 16, 8
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			reps, st := replicas(t, backend)
			ds := make([]*device, devices)
			ids := make([]string, devices)
			for i := range ds {
				ds[i] = newDevice(t)
				ds[i].enrol(t, server(reps[0]))
				ids[i] = ds[i].id
			}
			var wg sync.WaitGroup
			wg.Go(func() {
				for c := range commands {
					if _, err := reps[0].EnqueueCommand(context.Background(), ids, command(t, fmt.Sprintf("CMD%d", c))); err != nil {
						t.Error(err)
					}
				}
			})
			for _, d := range ds {
				wg.Go(func() {
					if err := d.checkOut(t, server(reps[1])); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			wantRows(t, st, "ios_queue", 0)
			wantRows(t, st, "ios_commands", 0)
		})
	}
}

// Two certificates associated with one enrolment at once through two replicas: exactly
// one of them identifies it afterwards.
func TestConcurrentAssociationsLeaveOneCertificate(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			reps, st := replicas(t, backend)
			for round := range 8 {
				r := newDevice(t).storeRequest()
				var wg sync.WaitGroup
				for i, rep := range reps {
					wg.Go(func() { _ = rep.AssociateCertHash(r, fmt.Sprintf("hash-%d-%d", round, i)) })
				}
				wg.Wait()
				var latest int
				if err := st.Tables().DB().Raw("SELECT COUNT(*) FROM ios_cert_auth WHERE id = ? AND latest", r.ID).Row().Scan(&latest); err != nil {
					t.Fatal(err)
				}
				if latest != 1 {
					t.Errorf("round %d: %d certificates identify the enrolment, want 1", round, latest)
				}
			}
		})
	}
}
