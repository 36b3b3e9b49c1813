package siem_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/siem"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// fakeSink is a receiver in the test's memory that can be down and that notices two
// deliveries of one tenant at the same time.
type fakeSink struct {
	name string
	received
	down    atomic.Bool
	mu      sync.Mutex
	sending map[string]bool
	overlap atomic.Bool
}

func newFakeSink(name string) *fakeSink { return &fakeSink{name: name, sending: map[string]bool{}} }

func (f *fakeSink) Name() string { return f.name }

func (f *fakeSink) Send(_ context.Context, t mdm.Tenant, events []audit.Event) error {
	f.mu.Lock()
	if f.sending[t.ID] {
		f.overlap.Store(true)
	}
	f.sending[t.ID] = true
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.sending[t.ID] = false
		f.mu.Unlock()
	}()
	time.Sleep(2 * time.Millisecond) // long enough for an overlapping delivery to show
	if f.down.Load() {
		return errDown
	}
	for _, e := range events {
		if e.TenantID != t.ID {
			panic("an event of another tenant in the batch")
		}
		f.add(t.ID, e.Seq)
	}
	return nil
}

func TestTheFeedSendsEveryEventFromItsSwitchOnInOrderAlsoAfterTheReceiverWasDown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		syslog, webhook := newFakeSink(siem.SinkSyslog), newFakeSink(siem.SinkWebhook)
		svc := replica(t, s, fastRetries, syslog, webhook)
		tn := storetest.Tenant(t, svc, "musterstadt")
		other := storetest.Tenant(t, svc, "nachbardorf")
		appendEvents(t, s, tn.ID, 3) // before the switch: never sent
		from := switchFeed(t, svc, s, tn, true)
		otherFrom := switchFeed(t, svc, s, other, true)
		last := appendEvents(t, s, tn.ID, 20)
		otherLast := appendEvents(t, s, other.ID, 5)
		for _, k := range []*fakeSink{syslog, webhook} {
			waitFor(t, 15*time.Second, k.name+" to receive the events", func() bool {
				return k.has(tn.ID, from, last) && k.has(other.ID, otherFrom, otherLast)
			})
		}

		// The webhook's receiver is down for a while; the syslog's is not held up by it.
		webhook.down.Store(true)
		downFrom := last + 1
		last = appendEvents(t, s, tn.ID, 15)
		waitFor(t, 15*time.Second, "the syslog to receive the events while the webhook is down", func() bool {
			return syslog.has(tn.ID, from, last)
		})
		waitFor(t, 15*time.Second, "failed attempts to be recorded", func() bool {
			st, err := svc.SIEM.Status(context.Background(), tn)
			return err == nil && len(st.Sinks) == 2 && st.Sinks[1].Failures >= 3 && st.Sinks[1].Behind == last-downFrom+1
		})
		if webhook.has(tn.ID, downFrom, downFrom) {
			t.Fatal("a receiver that is down received an event")
		}
		webhook.down.Store(false)
		waitFor(t, 15*time.Second, "the webhook to receive what it missed", func() bool { return webhook.has(tn.ID, from, last) })

		// Switched off: the event that says so is the last one sent.
		to := switchFeed(t, svc, s, tn, false)
		appendEvents(t, s, tn.ID, 4)
		for _, k := range []*fakeSink{syslog, webhook} {
			waitFor(t, 15*time.Second, k.name+" to receive the switch-off", func() bool { return k.has(tn.ID, from, to) })
		}
		time.Sleep(300 * time.Millisecond) // a delivery of the events after it would have happened by now
		for _, k := range []*fakeSink{syslog, webhook} {
			k.checkInOrder(t, tn.ID, from, to)
			k.checkInOrder(t, other.ID, otherFrom, otherLast)
			if k.overlap.Load() {
				t.Errorf("%s: two deliveries of one tenant ran at the same time", k.name)
			}
		}
		st, err := svc.SIEM.Status(context.Background(), tn)
		if err != nil {
			t.Fatal(err)
		}
		if st.On || st.Sinks[1].Failures != 0 || st.Sinks[1].Seq != to || st.Sinks[1].Behind != 0 {
			t.Fatalf("status after catching up and switching off: %+v", st)
		}
	})
}

func TestSwitchingTheFeedIsAuditedAndSwitchingAgainChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := replica(t, s, fastRetries)
		tn := storetest.Tenant(t, svc, "musterstadt")
		for range 2 {
			st, err := svc.SIEM.Switch(ctx, "admin:a1", tn, true)
			if err != nil || !st.On {
				t.Fatalf("switch on: %+v, %v", st, err)
			}
		}
		if n := storetest.CountEvents(t, s, tn.ID, audit.SIEMEnable); n != 1 {
			t.Fatalf("%d siem.enable events, want 1", n)
		}
		for range 2 {
			st, err := svc.SIEM.Switch(ctx, "admin:a1", tn, false)
			if err != nil || st.On {
				t.Fatalf("switch off: %+v, %v", st, err)
			}
		}
		if n := storetest.CountEvents(t, s, tn.ID, audit.SIEMDisable); n != 1 {
			t.Fatalf("%d siem.disable events, want 1", n)
		}
	})
}

// Events appended while the feed was off are never sent, also when it is switched on
// again before the receiver took the events of the first period.
func TestEventsWhileTheFeedWasOffAreNeverSent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		sink := newFakeSink(siem.SinkSyslog)
		sink.down.Store(true)
		svc := replica(t, s, fastRetries, sink)
		tn := storetest.Tenant(t, svc, "musterstadt")
		from1 := switchFeed(t, svc, s, tn, true)
		appendEvents(t, s, tn.ID, 3)
		to1 := switchFeed(t, svc, s, tn, false)
		appendEvents(t, s, tn.ID, 5)
		from2 := switchFeed(t, svc, s, tn, true)
		last := appendEvents(t, s, tn.ID, 3)
		sink.down.Store(false)
		waitFor(t, 15*time.Second, "both periods to arrive", func() bool {
			return sink.has(tn.ID, from1, to1) && sink.has(tn.ID, from2, last)
		})
		time.Sleep(200 * time.Millisecond)
		for _, seq := range sink.of(tn.ID) {
			if seq > to1 && seq < from2 {
				t.Fatalf("event %d of the time the feed was off was sent: %v", seq, sink.of(tn.ID))
			}
		}
	})
}

// Two replicas deliver the events of many tenants appended at once: one delivery at a
// time per tenant and sink, each event once, in order.
func TestReplicasShareTheDeliveriesWithoutOverlapOrGaps(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		sink := newFakeSink(siem.SinkSyslog)
		first := replica(t, s, fastRetries, sink)
		replica(t, s, fastRetries, sink)
		var tenants []mdm.Tenant
		from := map[string]int64{}
		for _, name := range []string{"a", "b", "c"} {
			tn := storetest.Tenant(t, first, "tenant-"+name)
			from[tn.ID] = switchFeed(t, first, s, tn, true)
			tenants = append(tenants, tn)
		}
		var wg sync.WaitGroup
		last := make([]int64, len(tenants))
		for i, tn := range tenants {
			wg.Go(func() { last[i] = appendEvents(t, s, tn.ID, 40) })
		}
		wg.Wait()
		for i, tn := range tenants {
			waitFor(t, 30*time.Second, "every tenant's events", func() bool { return sink.has(tn.ID, from[tn.ID], last[i]) })
		}
		time.Sleep(200 * time.Millisecond)
		for i, tn := range tenants {
			sink.checkInOrder(t, tn.ID, from[tn.ID], last[i])
			if got := sink.of(tn.ID); int64(len(got)) != last[i]-from[tn.ID]+1 {
				t.Errorf("tenant %s: %d events received for %d sent, none failed: %v", tn.Name, len(got), last[i]-from[tn.ID]+1, got)
			}
		}
		if sink.overlap.Load() {
			t.Fatal("two deliveries of one tenant ran at the same time")
		}
	})
}

// A command line switches a feed on and appends events without queueing deliveries (it
// runs no sinks); the server's periodic catch-up finds them.
func TestTheCatchUpSendsWhatACommandLineAppended(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			dsn, err := store.ParseDSN(storetest.NewDSN(t, backend))
			if err != nil {
				t.Fatal(err)
			}
			open := func() *store.Store {
				s, err := store.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = s.Close() })
				return s
			}
			serverStore := open()
			if err := serverStore.Migrate(ctx, nil); err != nil {
				t.Fatal(err)
			}
			sink := newFakeSink(siem.SinkWebhook)
			server := replica(t, serverStore, fastRetries, sink)
			cliStore := open()
			cli := domain.New(cliStore, storetest.PlainSealer{}) // a command line runs no sinks and no queue
			tn := storetest.Tenant(t, cli, "musterstadt")
			from := switchFeed(t, cli, cliStore, tn, true)
			last := appendEvents(t, cliStore, tn.ID, 2)
			time.Sleep(300 * time.Millisecond)
			if got := sink.of(tn.ID); len(got) != 0 {
				t.Fatalf("delivered before the catch-up: %v", got)
			}
			if err := server.SIEM.CatchUp(ctx, siem.CatchUpJob{}); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 15*time.Second, "the catch-up's delivery", func() bool { return sink.has(tn.ID, from, last) })
			sink.checkInOrder(t, tn.ID, from, last)
		})
	}
}
