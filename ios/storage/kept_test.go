package storage_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/micromdm/nanomdm/service"

	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// keptReplicas returns two storages on one fresh database as two servers have them: a
// writes as any replica does, b keeps what Idle check-ins read in memory, follows the
// changes (notify says whether NOTIFY reaches it) and records the statements it sends.
func keptReplicas(t *testing.T, backend string, notify bool, now func() time.Time) (a, b *storage.Storage, rec *statements) {
	t.Helper()
	dsn, err := store.ParseDSN(storetest.NewDSN(t, backend))
	if err != nil {
		t.Fatal(err)
	}
	var st [2]*store.Store
	for i := range st {
		if st[i], err = store.Open(context.Background(), dsn, store.WithMigrations(store.MigrationSource{Name: "ios", FS: ios.Migrations()})); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st[i].Close() })
		if err := st[i].Migrate(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if notify {
			st[1].Changes().Run(ctx, nil)
		} else {
			st[1].Changes().RunWithoutNotify(ctx, nil)
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait() })
	for !st[1].Changes().Fresh() {
		time.Sleep(10 * time.Millisecond)
	}
	db, rec := recorded(st[1].Tables().DB())
	a = storage.New(st[0].Tables(), storetest.PlainSealer{}, storage.WithClock(now))
	b = storage.New(st[1].Tables(), storetest.PlainSealer{}, storage.WithChanges(st[1].Changes()), storage.WithDB(db),
		storage.WithClock(now))
	return a, b, rec
}

// within retries fn until it reports true, for at most the bound a change takes to reach
// every replica (docs/architecture.md: one second).
func within(t *testing.T, what string, fn func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for !fn() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within a second", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// warm sends Idle reports until one is answered from memory: by then the changes of the
// enrolment's own transactions, which another replica hears of shortly after they commit,
// have arrived and been dropped.
func warm(t *testing.T, d *device, svc service.CheckinAndCommandService, rec *statements) {
	t.Helper()
	within(t, "an Idle check-in is answered from memory", func() bool {
		rec.take()
		d.report(t, svc, "Idle", "")
		return len(rec.take()) == 0
	})
}

// An Idle check-in of an enrolment with nothing queued is answered from memory once it has
// been read; a command queued through another replica is fetched, and a certificate
// associated there refused, as soon as the change reaches this one: at once through NOTIFY,
// and within the bound by the periodic look when NOTIFY is lost.
func TestIdleCheckInsFromMemoryFollowChangesOfOtherReplicas(t *testing.T) {
	for _, backend := range backends {
		for name, notify := range map[string]bool{"notify": true, "notify lost": false} {
			t.Run(backend+"/"+name, func(t *testing.T) {
				now := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
				a, b, rec := keptReplicas(t, backend, notify, func() time.Time { return now })
				svc := server(b)
				d := newDevice(t)
				d.enrol(t, server(a))

				warm(t, d, svc, rec)
				for range 3 {
					d.report(t, svc, "Idle", "")
				}
				if sql := rec.take(); len(sql) != 0 {
					t.Errorf("Idle check-ins of a kept enrolment ran %q, want nothing", sql)
				}

				if _, err := a.EnqueueCommand(context.Background(), []string{d.id}, command(t, "CMD-1")); err != nil {
					t.Fatal(err)
				}
				within(t, "the command queued through the other replica is fetched", func() bool {
					return d.report(t, svc, "Idle", "") == "CMD-1"
				})
				if next := d.report(t, svc, "Acknowledged", "CMD-1"); next != "" {
					t.Errorf("after the answer the next command is %q, want none", next)
				}

				// Another certificate's hash, as nanomdm stores it: hex SHA-256.
				another := fmt.Sprintf("%x", sha256.Sum256([]byte("another certificate")))
				if err := a.AssociateCertHash(d.storeRequest(), another); err != nil {
					t.Fatal(err)
				}
				within(t, "the retired certificate is refused", func() bool {
					_, err := d.send(t, svc, "Idle", "")
					return err != nil
				})
			})
		}
	}
}

// The last-seen time is written once per resolution also when the enrolment is kept.
func TestKeptEnrolmentStillRecordsItsVisitOncePerResolution(t *testing.T) {
	now := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	_, b, rec := keptReplicas(t, storetest.SQLite, false, clock)
	svc := server(b)
	d := newDevice(t)
	d.enrol(t, svc)
	warm(t, d, svc, rec)
	now = now.Add(time.Minute)
	d.report(t, svc, "Idle", "")
	if sql := rec.take(); len(writes(sql)) != 1 {
		t.Errorf("an Idle check-in a minute later ran %q, want a write of the last-seen time", sql)
	}
	warm(t, d, svc, rec) // reads the new time
	d.report(t, svc, "Idle", "")
	if sql := rec.take(); len(sql) != 0 {
		t.Errorf("the next Idle check-in ran %q, want nothing", sql)
	}
}
