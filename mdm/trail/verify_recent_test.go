package trail_test

import (
	"context"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// The audit page verifies the trail from its last signed checkpoint on, every time it is
// shown: an intact trail is verified up to its head; a change since that checkpoint, a
// rewrite of the event it vouches for, or a forged checkpoint is reported at once.
func TestTheRecentTrailIsVerifiedFromItsLastCheckpoint(t *testing.T) {
	// Ten events with checkpoints at 1, 4, 7 and 10, then two more.
	cases := []struct {
		name    string
		tamper  func(t *testing.T, s *store.Store, tn mdm.Tenant)
		wantSeq int64
		want    string
	}{
		{"nothing changed", func(*testing.T, *store.Store, mdm.Tenant) {}, 0, ""},
		{"an event after the checkpoint changed", func(t *testing.T, s *store.Store, tn mdm.Tenant) {
			storetest.Exec(t, s, "UPDATE audit_events SET actor = 'admin:someone-else' WHERE tenant_id = ? AND seq = 11", tn.ID)
		}, 11, "event 11 was changed"},
		{"the chain rewritten from event 2, hashes recomputed", func(t *testing.T, s *store.Store, tn mdm.Tenant) {
			rewriteFrom(t, s, tn.ID, 2)
		}, 10, "no longer has the hash signed in its checkpoint"},
		{"the last event removed", func(t *testing.T, s *store.Store, tn mdm.Tenant) {
			storetest.Exec(t, s, "DELETE FROM audit_events WHERE tenant_id = ? AND seq = 12", tn.ID)
		}, 12, "missing from the end"},
		{"the checkpoint's signature forged", func(t *testing.T, s *store.Store, tn mdm.Tenant) {
			storetest.Exec(t, s, "UPDATE audit_checkpoints SET signature = ? WHERE tenant_id = ? AND seq = 10", []byte("forged"), tn.ID)
		}, 10, "not signed by the CA"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				clk := &storetest.Clock{T: testTime}
				svc, tn := checkpointed(t, s, newNotary(), 3, clk)
				appendEvents(t, svc, tn, clk, 11)
				dropGuards(t, s)
				c.tamper(t, s, tn)
				r, err := svc.Trail.VerifyRecent(context.Background(), tn)
				if err != nil {
					t.Fatal(err)
				}
				if c.wantSeq == 0 {
					if r.Break != nil || r.Head.Seq != 12 || r.Checkpoint == nil || r.Checkpoint.Seq != 10 || r.Events != 3 {
						t.Fatalf("intact trail: %+v, checkpoint %+v", r, r.Checkpoint)
					}
					return
				}
				if r.Break == nil || r.Break.Seq != c.wantSeq || !strings.Contains(r.Break.Problem, c.want) {
					t.Fatalf("break %+v, want at %d saying %q", r.Break, c.wantSeq, c.want)
				}
			})
		})
	}
}

// A trail without checkpoints (an installation that does not sign) is verified whole.
func TestATrailWithoutCheckpointsIsVerifiedWhole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		svc, tn := auditedTenant(t, s, 5)
		r, err := svc.Trail.VerifyRecent(context.Background(), tn)
		if err != nil || r.Break != nil || r.Checkpoint != nil || r.Events != r.Head.Seq || r.Head.Seq < 5 {
			t.Fatalf("%+v, %v", r, err)
		}
	})
}
