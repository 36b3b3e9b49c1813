package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// twoReplicas opens two stores on one fresh database of the backend, as two servers have.
func twoReplicas(t *testing.T, backend string) (a, b *store.Store) {
	t.Helper()
	dsn, err := store.ParseDSN(storetest.NewDSN(t, backend))
	if err != nil {
		t.Fatal(err)
	}
	var out [2]*store.Store
	for i := range out {
		s, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		if err := s.Migrate(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		out[i] = s
	}
	return out[0], out[1]
}

// follow runs the store's feed of changes until the test ends (run: Run, or
// RunWithoutNotify) and waits until memory may answer.
func follow(t testing.TB, s *store.Store, run func(*store.Changes, context.Context)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		run(s.Changes(), ctx)
	}()
	t.Cleanup(func() { cancel(); wg.Wait() })
	waitUntil(t, time.Second, "the feed of changes is fresh", s.Changes().Fresh)
}

func withNotify(c *store.Changes, ctx context.Context)    { c.Run(ctx, nil) }
func withoutNotify(c *store.Changes, ctx context.Context) { c.RunWithoutNotify(ctx, nil) }

func waitUntil(t testing.TB, within time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// source is a row as a test reads it: its value and how often it was read.
type source struct {
	mu    sync.Mutex
	value string
	reads int
}

func (s *source) set(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.value = v
}

func (s *source) read() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	return s.value, nil
}

func keptOn(s *store.Store) *store.Kept[string, string] {
	return store.NewKept[string](s.Changes(), 100, "device", nil)
}

func record(t *testing.T, s *store.Store, keys ...string) {
	t.Helper()
	err := s.Tables().Atomic(context.Background(), func(tx *store.Tx) error {
		return store.RecordChanges(tx.DB(context.Background()), keys...)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func load(t *testing.T, k *store.Kept[string, string], key string, src *source) string {
	t.Helper()
	v, err := k.Load(key, src.read)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// A value kept on replica B is read anew once replica A commits a change of it: at once
// through NOTIFY, and within the bound when every NOTIFY is lost, by the periodic look.
// Values of other rows stay in memory.
func TestAChangeOnOneReplicaDropsTheValueOnTheOther(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		for name, run := range map[string]func(*store.Changes, context.Context){"notify": withNotify, "notify lost": withoutNotify} {
			t.Run(backend+"/"+name, func(t *testing.T) {
				a, b := twoReplicas(t, backend)
				follow(t, b, run)
				kept := keptOn(b)
				phone, other := &source{value: "active"}, &source{value: "active"}
				load(t, kept, "phone", phone)
				load(t, kept, "other", other)
				if got := load(t, kept, "phone", phone); got != "active" || phone.reads != 1 {
					t.Fatalf("second load: %q after %d reads, want it from memory", got, phone.reads)
				}

				phone.set("removing")
				record(t, a, "device:phone")
				waitUntil(t, time.Second, "replica B reads the changed device anew", func() bool {
					return load(t, kept, "phone", phone) == "removing"
				})
				if load(t, kept, "other", other); other.reads != 1 {
					t.Errorf("the unchanged device was read %d times, want once", other.reads)
				}
			})
		}
	}
}

// A change this server commits through the store is in its memory when the transaction
// returns: the next load reads anew, without waiting for the periodic look.
func TestAChangeIsSeenByItsOwnServerWhenItsTransactionReturns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		follow(t, s, withoutNotify)
		kept := keptOn(s)
		phone := &source{value: "active"}
		load(t, kept, "phone", phone)
		phone.set("removing")
		record(t, s, "device:phone")
		if got := load(t, kept, "phone", phone); got != "removing" {
			t.Errorf("after the commit: %q, want the changed value", got)
		}
	})
}

// A value read while its change commits is not kept: it may predate the change.
func TestAValueReadDuringItsChangeIsNotKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		follow(t, s, withoutNotify)
		kept := keptOn(s)
		reads := 0
		racing := func() (string, error) {
			reads++
			if reads == 1 {
				record(t, s, "device:phone")
			}
			return "read before the change", nil
		}
		for range 2 {
			if _, err := kept.Load("phone", racing); err != nil {
				t.Fatal(err)
			}
		}
		if reads != 2 {
			t.Errorf("read %d times, want 2: the first value raced with a change and must not be kept", reads)
		}
	})
}

// Without a running feed (a command-line process) nothing is kept.
func TestWithoutTheFeedEveryLoadReads(t *testing.T) {
	s := storetest.Open(t, storetest.SQLite)
	kept := keptOn(s)
	phone := &source{value: "active"}
	for range 3 {
		load(t, kept, "phone", phone)
	}
	if phone.reads != 3 || kept.Len() != 0 {
		t.Errorf("%d reads and %d kept values, want 3 reads and nothing kept", phone.reads, kept.Len())
	}
}

// Only the values that are worth keeping are kept.
func TestKeptKeepsOnlyWhatItIsToldTo(t *testing.T) {
	s := storetest.Open(t, storetest.SQLite)
	follow(t, s, withoutNotify)
	kept := store.NewKept(s.Changes(), 100, "enrolment", func(v string) bool { return v == "nothing queued" })
	queued := &source{value: "queued"}
	load(t, kept, "phone", queued)
	load(t, kept, "phone", queued)
	if queued.reads != 2 {
		t.Errorf("a value not worth keeping was read %d times in two loads, want 2", queued.reads)
	}
}

// A device's change of state, and its deletion, are changes of "device:ID"; its contact
// time, written once a minute per phone, is not.
func TestDeviceChangesThatMatterAreRecorded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms())
		w := storetest.Populate(t, s, svc, "musterstadt", storetest.WorldTime)
		changes := func() int64 {
			return storetest.Count(t, s, "cache_changes", "key = ?", "device:"+w.Device.ID)
		}
		before := changes()
		storetest.Exec(t, s, `UPDATE devices SET last_contact_at = ? WHERE id = ?`, storetest.WorldTime.Add(time.Hour), w.Device.ID)
		if n := changes(); n != before {
			t.Errorf("a new contact time recorded %d changes, want none", n-before)
		}
		storetest.Exec(t, s, `UPDATE devices SET state = ? WHERE id = ?`, mdm.DeviceRemoving, w.Device.ID)
		if n := changes(); n != before+1 {
			t.Errorf("a change of state recorded %d changes, want 1", n-before)
		}
		storetest.Exec(t, s, `DELETE FROM commands WHERE device_id = ?`, w.Device.ID)
		storetest.Exec(t, s, `DELETE FROM devices WHERE id = ?`, w.Device.ID)
		var keys []string
		if err := s.Tables().DB().Raw(`SELECT key FROM cache_changes ORDER BY id`).Scan(&keys).Error; err != nil {
			t.Fatal(err)
		}
		if n := changes(); n != before+2 {
			t.Errorf("the deletion recorded %d changes, want 1 (all: %v)", n-before-1, keys)
		}
		if !slices.Contains(keys, "device:"+w.Device.ID) {
			t.Errorf("changes %v name no device:%s", keys, w.Device.ID)
		}
	})
}

// Many transactions committing at once each see their own change when they return, though
// they share the looks that bring memory up to date.
func TestConcurrentCommitsEachSeeTheirOwnChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		follow(t, s, withoutNotify)
		kept := keptOn(s)
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				key := fmt.Sprintf("phone-%d", i)
				src := &source{value: "active"}
				if _, err := kept.Load(key, src.read); err != nil {
					t.Error(err)
					return
				}
				src.set("removing")
				if err := s.Tables().Atomic(context.Background(), func(tx *store.Tx) error {
					return store.RecordChanges(tx.DB(context.Background()), "device:"+key)
				}); err != nil {
					t.Error(err)
					return
				}
				if v, err := kept.Load(key, src.read); err != nil || v != "removing" {
					t.Errorf("%s after its own commit: %q, %v; want the changed value", key, v, err)
				}
			})
		}
		wg.Wait()
	})
}

// The connection on which a replica listens for NOTIFY is dropped (as a network failure or
// a database restart drops it); a change made while it is gone reaches the replica by the
// periodic look, within the bound.
func TestAChangeMadeWhileTheListenerIsGoneStillArrives(t *testing.T) {
	a, b := twoReplicas(t, storetest.Postgres)
	follow(t, b, withNotify)
	listeners := func() int64 {
		return storetest.Count(t, a, "pg_stat_activity", "application_name = ? AND datname = current_database()", store.ListenerName)
	}
	waitUntil(t, 5*time.Second, "the replica listens", func() bool { return listeners() == 1 })
	kept := keptOn(b)
	phone := &source{value: "active"}
	load(t, kept, "phone", phone)

	storetest.Exec(t, a, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ? AND datname = current_database()`, store.ListenerName)
	waitUntil(t, time.Second, "the listener's connection is gone", func() bool { return listeners() == 0 })
	phone.set("removing")
	record(t, a, "device:phone")
	waitUntil(t, time.Second, "replica B reads the changed device anew", func() bool {
		return load(t, kept, "phone", phone) == "removing"
	})
}
