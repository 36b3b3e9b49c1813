package trail_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// prunable returns a signed trail whose first 30 events are two years older than the
// rest, checkpoints every 10 events, and audit events kept for one year.
func prunable(t *testing.T, s *store.Store) (*domain.Services, mdm.Tenant, *storetest.Clock, *notary) {
	t.Helper()
	c := &storetest.Clock{T: testTime}
	n := newNotary()
	svc, tn := checkpointed(t, s, n, 10, c)
	dp := dataprotection.DefaultDataProtection(tn.ID)
	dp.AuditRetentionYears = 1
	if _, err := svc.DataProtection.SetDataProtection(context.Background(), "cli:root", tn, dp); err != nil {
		t.Fatal(err)
	}
	appendEvents(t, svc, tn, c, 33) // events 3 to 35; checkpoints at 1, 11, 21, 31
	c.Advance(2 * 365 * 24 * time.Hour)
	appendEvents(t, svc, tn, c, 5)
	return svc, tn, c, n
}

// Events older than the retention period go, cut at the newest signed checkpoint before
// the cut-off. The rest verifies, starting from that checkpoint, and the verifier says
// what was pruned. Running the sweep again, or on a restarted replica, prunes nothing
// more.
func TestOldAuditEventsArePrunedAtASignedCheckpoint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc, tn, c, n := prunable(t, s)
		ps, err := svc.Trail.PruneAuditTrails(ctx)
		if err != nil || len(ps) != 1 || ps[0].UpToSeq != 31 || ps[0].Events != 31 {
			t.Fatalf("prunes %+v, %v; want one up to the checkpoint at event 31", ps, err)
		}
		restarted := domain.NewWith(s, storetest.PlainSealer{}, signedBy(n, 10), storetest.Platforms(), mdm.WithClock(c.Now))
		if again, err := restarted.Trail.PruneAuditTrails(ctx); err != nil || len(again) != 0 {
			t.Fatalf("pruning again: %+v, %v; want nothing", again, err)
		}
		if left := storetest.Count(t, s, "audit_events", "tenant_id = ? AND seq <= 31", tn.ID); left != 0 {
			t.Fatalf("%d pruned events left", left)
		}
		r, err := restarted.Trail.VerifyTenantAudit(ctx, tn)
		if err != nil || r.Break != nil {
			t.Fatalf("verify after pruning: %+v, %v", r.Break, err)
		}
		// Events 32 to 40 and the prune's own event remain.
		if r.Events != 10 || len(r.Pruned) != 1 || r.Pruned[0].UpToSeq != 31 {
			t.Fatalf("report %d events, pruned %+v; want 10 events after a prune up to 31", r.Events, r.Pruned)
		}
		if n := storetest.CountEvents(t, s, tn.ID, audit.AuditPrune); n != 1 {
			t.Fatalf("%d prune events, want 1", n)
		}
	})
}

// Deleting old events by hand, even with a forged prune row, is not a prune: the trail
// holds no audit.prune event for it, and the verifier says so.
func TestEventsRemovedWithoutAPruneEventAreReported(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc, tn, _, _ := prunable(t, s)
		storetest.Exec(t, s, "INSERT INTO audit_prunes (tenant_id, up_to_seq, events, cutoff, pruned_at) VALUES (?, 21, 21, ?, ?)", tn.ID, testTime, testTime)
		storetest.Exec(t, s, "DELETE FROM audit_events WHERE tenant_id = ? AND seq <= 21", tn.ID)
		r, err := svc.Trail.VerifyTenantAudit(ctx, tn)
		if err != nil || r.Break == nil || !strings.Contains(r.Break.Problem, "no audit.prune event") {
			t.Fatalf("verify: %+v, %v; want the missing prune event named", r.Break, err)
		}
	})
}

// Without a prune, events still cannot be deleted through SQL.
func TestOnlyPrunedEventsCanBeDeleted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		_, tn, _, _ := prunable(t, s)
		storetest.Exec(t, s, "INSERT INTO audit_prunes (tenant_id, up_to_seq, events, cutoff, pruned_at) VALUES (?, 11, 11, ?, ?)", tn.ID, testTime, testTime)
		err := storetest.RawExec(s, "DELETE FROM audit_events WHERE tenant_id = ? AND seq = 12", tn.ID)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Fatalf("deleting an event beyond the prune: %v, want refusal", err)
		}
		for _, q := range []string{"UPDATE audit_prunes SET up_to_seq = 40", "DELETE FROM audit_prunes"} {
			if err := storetest.RawExec(s, q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want refusal", q, err)
			}
		}
	})
}
