package siem_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/jobs"
	"github.com/trennwand/trennwand/mdm/siem"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// fastRetries make a receiver that is down tried again within a fraction of a second.
var fastRetries = siem.Config{Batch: 7, MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}

// replica is one server process on the store: its services deliver to sinks, and its
// job queue runs the deliveries as serve registers them.
func replica(t *testing.T, s *store.Store, cfg siem.Config, sinks ...siem.Sink) *domain.Services {
	t.Helper()
	svc := domain.New(s, storetest.PlainSealer{})
	svc.SIEM.Use(cfg, sinks...)
	q := jobs.New(s.JobDriver(), nil, jobs.Config{Poll: 20 * time.Millisecond, Queues: map[string]int{siem.Queue: siem.QueueWorkers}})
	jobs.HandleAgain(q, svc.SIEM.Deliver)
	jobs.Handle(q, svc.SIEM.CatchUp)
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := q.Stop(ctx); err != nil {
			t.Errorf("stop the job queue: %v", err)
		}
	})
	return svc
}

// appendEvents appends n events to the tenant's trail, one transaction each, and
// returns the seq of the last.
func appendEvents(t *testing.T, s *store.Store, tenantID string, n int) int64 {
	t.Helper()
	var last int64
	for i := range n {
		e, err := s.AppendAudit(context.Background(), tenantID, time.Now(), audit.Record{Actor: "cli:test",
			Action: audit.DeviceView, Subject: audit.Device.Of(fmt.Sprintf("d%d", i))})
		if err != nil {
			t.Fatal(err)
		}
		last = e.Seq
	}
	return last
}

// switchFeed turns the tenant's feed on or off and returns the seq of the event that
// records it.
func switchFeed(t *testing.T, svc *domain.Services, s *store.Store, tn mdm.Tenant, on bool) int64 {
	t.Helper()
	if _, err := svc.SIEM.Switch(context.Background(), "cli:test", tn, on); err != nil {
		t.Fatal(err)
	}
	head, err := store.TrailOf(s).AuditHead(context.Background(), tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	return head.Seq
}

// waitFor polls cond until it holds, failing the test with what after the timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// received is what a receiver got: the seqs of each tenant in the order they arrived.
type received struct {
	mu  sync.Mutex
	seq map[string][]int64
}

func (r *received) add(tenantID string, seq int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seq == nil {
		r.seq = map[string][]int64{}
	}
	r.seq[tenantID] = append(r.seq[tenantID], seq)
}

func (r *received) of(tenantID string) []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int64(nil), r.seq[tenantID]...)
}

// has reports whether every event from..to of the tenant arrived.
func (r *received) has(tenantID string, from, to int64) bool {
	seen := map[int64]bool{}
	for _, s := range r.of(tenantID) {
		seen[s] = true
	}
	for s := from; s <= to; s++ {
		if !seen[s] {
			return false
		}
	}
	return true
}

// checkInOrder fails unless the tenant's events arrived as from..to in order, each at
// least once: a batch sent again after a failure may repeat events, but never one that
// came before an event already received first, and nothing outside from..to arrived.
func (r *received) checkInOrder(t *testing.T, tenantID string, from, to int64) {
	t.Helper()
	got := r.of(tenantID)
	next := from
	for i, s := range got {
		switch {
		case s < from || s > to:
			t.Fatalf("event %d arrived (at %d), outside %d..%d: %v", s, i, from, to, got)
		case s == next:
			next++
		case s > next:
			t.Fatalf("event %d arrived (at %d) before event %d: %v", s, i, next, got)
		}
	}
	if next != to+1 {
		t.Fatalf("events %d..%d did not all arrive: %v", from, to, got)
	}
}

// errDown is what a receiver that is down answers.
var errDown = errors.New("receiver down")

func hmacHex(secret []byte, msg string) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(msg))
	return hex.EncodeToString(mac.Sum(nil))
}
