package trail_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/mdm/trail"
)

// notary stands in for the CA: it signs with its own Ed25519 key, its "certificate" is the
// public key, and it accepts only its own signatures. The CA's real signatures are tested
// in pki and cmd/trennwand.
type notary struct {
	key ed25519.PrivateKey
	pub ed25519.PublicKey
}

func newNotary() *notary {
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	return &notary{key: key, pub: pub}
}

func (n *notary) SignCheckpoint(payload []byte) (sig, certDER []byte, err error) {
	return ed25519.Sign(n.key, payload), n.pub, nil
}

func (n *notary) VerifyCheckpoint(payload, sig, certDER []byte) error {
	if !bytes.Equal(certDER, n.pub) || !ed25519.Verify(n.pub, payload, sig) {
		return errors.New("not the notary's signature")
	}
	return nil
}

var testTime = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// signedBy are the options of a trail that n signs and verifies, with a checkpoint every
// `every` events or hour.
func signedBy(n *notary, every int64) domain.Options {
	return domain.Options{Trail: []trail.Option{trail.WithAuditSigner(n), trail.WithCheckpointVerifier(n),
		trail.WithCheckpointInterval(every, time.Hour)}}
}

// checkpointed returns a service that makes a checkpoint every `every` events or hour, and
// a tenant with its first event, written at the clock's time.
func checkpointed(t *testing.T, s *store.Store, n *notary, every int64, c *storetest.Clock) (*domain.Services, mdm.Tenant) {
	t.Helper()
	svc := domain.NewWith(s, storetest.PlainSealer{}, signedBy(n, every), storetest.Platforms(), mdm.WithClock(c.Now))
	return svc, storetest.Tenant(t, svc, "musterstadt")
}

// appendEvents records n events, a minute apart.
func appendEvents(t *testing.T, svc *domain.Services, tn mdm.Tenant, c *storetest.Clock, n int) {
	t.Helper()
	for i := range n {
		c.Advance(time.Minute)
		if err := svc.Record(context.Background(), tn.ID, audit.Record{Actor: "cli:root", Action: audit.DeviceView,
			Subject: audit.Device.Of(fmt.Sprint(i))}); err != nil {
			t.Fatal(err)
		}
	}
}

// checkpointSeqs returns where the tenant's checkpoints are, after checking that each
// names the one before it and holds the hash of its event.
func checkpointSeqs(t *testing.T, s *store.Store, tenantID string) []int64 {
	t.Helper()
	ctx := context.Background()
	hashes := map[int64][]byte{}
	if err := store.TrailOf(s).AuditEvents(ctx, tenantID, 0, func(e audit.Event) error { hashes[e.Seq] = e.Hash; return nil }); err != nil {
		t.Fatal(err)
	}
	var seqs []int64
	err := store.TrailOf(s).AuditCheckpoints(ctx, tenantID, func(c audit.Checkpoint) error {
		if c.PrevSeq != 0 && (len(seqs) == 0 || c.PrevSeq != seqs[len(seqs)-1]) || !bytes.Equal(c.Hash, hashes[c.Seq]) {
			t.Errorf("checkpoint %d: previous %d, hash %x; want the one before and the hash of its event", c.Seq, c.PrevSeq, c.Hash)
		}
		seqs = append(seqs, c.Seq)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return seqs
}

func TestCheckpointsEveryNEventsAndEveryHour(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := &storetest.Clock{T: testTime}
		svc, tn := checkpointed(t, s, newNotary(), 5, c)
		appendEvents(t, svc, tn, c, 2) // events 2 and 3
		c.Advance(time.Hour)
		appendEvents(t, svc, tn, c, 6) // events 4 (an hour after the last checkpoint) to 9
		// The first event gets one, as a tenant without a checkpoint is due; then an hour
		// passes; then five events.
		if got, want := checkpointSeqs(t, s, tn.ID), []int64{1, 4, 9}; !slices.Equal(got, want) {
			t.Fatalf("checkpoints at events %v, want %v", got, want)
		}
		r, err := svc.Trail.VerifyTenantAudit(context.Background(), tn)
		if err != nil || r.Break != nil || r.Events != 9 || r.Checkpoints != 3 {
			t.Fatalf("verify: %+v, %v; want 9 events and 3 checkpoints intact", r, err)
		}
	})
}

func TestCheckpointsByDefaultEveryHundredEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := &storetest.Clock{T: testTime}
		n := newNotary()
		svc := domain.NewWith(s, storetest.PlainSealer{}, domain.Options{Trail: []trail.Option{trail.WithAuditSigner(n)}},
			storetest.Platforms(), mdm.WithClock(c.Now))
		tn := storetest.Tenant(t, svc, "musterstadt")
		for range 200 { // a second apart, all within the hour
			c.Advance(time.Second)
			if err := svc.Record(context.Background(), tn.ID, audit.Record{Actor: "system", Action: audit.DeviceView}); err != nil {
				t.Fatal(err)
			}
		}
		if got, want := checkpointSeqs(t, s, tn.ID), []int64{1, 101, 201}; !slices.Equal(got, want) {
			t.Fatalf("checkpoints at events %v, want %v", got, want)
		}
	})
}

// Writers on several replicas append at once; they queue on the chain head, so exactly one
// of them makes each checkpoint that falls due.
func TestConcurrentAppendsMakeOneRowOfCheckpoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		n := newNotary()
		svc := domain.NewWith(s, storetest.PlainSealer{}, signedBy(n, 7), storetest.Platforms())
		tn := storetest.Tenant(t, svc, "musterstadt")
		const writers, each = 8, 10
		inviteConcurrently(t, svc, tn, writers, each)
		want := []int64{1}
		for seq := int64(8); seq <= 1+writers*each; seq += 7 {
			want = append(want, seq)
		}
		if got := checkpointSeqs(t, s, tn.ID); !slices.Equal(got, want) {
			t.Fatalf("checkpoints at %v, want %v", got, want)
		}
		r, err := svc.Trail.VerifyTenantAudit(context.Background(), tn)
		if err != nil || r.Break != nil || r.Checkpoints != int64(len(want)) {
			t.Fatalf("verify: %+v, %v", r, err)
		}
	})
}

func TestAppendsWithoutSignerMakeNoCheckpoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		_, tn := auditedTenant(t, s, 3)
		if n := storetest.Count(t, s, "audit_checkpoints", "tenant_id = ?", tn.ID); n != 0 {
			t.Fatalf("%d checkpoints without a signer", n)
		}
	})
}

// dropGuards plays an attacker with database access: the append-only triggers go first.
func dropGuards(t *testing.T, s *store.Store) {
	t.Helper()
	drop := []string{"DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete",
		"DROP TRIGGER audit_checkpoints_no_update", "DROP TRIGGER audit_checkpoints_no_delete"}
	if s.Postgres() {
		drop = []string{"DROP TRIGGER audit_events_no_update ON audit_events", "DROP TRIGGER audit_checkpoints_no_update ON audit_checkpoints"}
	}
	for _, q := range drop {
		if err := storetest.RawExec(s, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// rewriteFrom changes the actor of event seq and recomputes every hash after it and the
// head, so that the hash chain alone is intact again.
func rewriteFrom(t *testing.T, s *store.Store, tenantID string, seq int64) {
	t.Helper()
	var events []audit.Event
	if err := store.TrailOf(s).AuditEvents(context.Background(), tenantID, 0, func(e audit.Event) error { events = append(events, e); return nil }); err != nil {
		t.Fatal(err)
	}
	prev := events[seq-2].Hash
	for _, e := range events[seq-1:] {
		if e.Seq == seq {
			e.Actor = "admin:someone-else"
		}
		e.PrevHash = prev
		e.Hash = e.ComputeHash()
		prev = e.Hash
		if err := storetest.RawExec(s, "UPDATE audit_events SET actor = ?, prev_hash = ?, hash = ? WHERE tenant_id = ? AND seq = ?",
			e.Actor, e.PrevHash, e.Hash, tenantID, e.Seq); err != nil {
			t.Fatal(err)
		}
	}
	if err := storetest.RawExec(s, "UPDATE audit_heads SET hash = ? WHERE tenant_id = ?", prev, tenantID); err != nil {
		t.Fatal(err)
	}
}

// Someone with write access to the database rewrites history and covers their tracks: the
// hash of every later event and the head are recomputed. The chain alone cannot tell; the
// first signed checkpoint after the change can.
func TestCheckpointsCatchARewrittenChain(t *testing.T) {
	// Ten events with checkpoints at 1, 4, 7 and 10.
	cases := []struct {
		name    string
		tamper  func(t *testing.T, s *store.Store, tn mdm.Tenant, n *notary)
		wantSeq int64
		want    string
	}{
		{"nothing changed", func(*testing.T, *store.Store, mdm.Tenant, *notary) {}, 0, ""},
		{"event 2 rewritten", func(t *testing.T, s *store.Store, tn mdm.Tenant, _ *notary) { rewriteFrom(t, s, tn.ID, 2) }, 2,
			"an event from 2 to 4 was changed and every hash after it recomputed"},
		{"event 5 rewritten", func(t *testing.T, s *store.Store, tn mdm.Tenant, _ *notary) { rewriteFrom(t, s, tn.ID, 5) }, 5, "from 5 to 7"},
		{"the last event rewritten", func(t *testing.T, s *store.Store, tn mdm.Tenant, _ *notary) { rewriteFrom(t, s, tn.ID, 10) }, 8, "from 8 to 10"},
		{"the last events removed and the head moved back", func(t *testing.T, s *store.Store, tn mdm.Tenant, _ *notary) {
			storetest.Exec(t, s, "DELETE FROM audit_events WHERE tenant_id = ? AND seq > 8", tn.ID)
			storetest.Exec(t, s, "UPDATE audit_heads SET seq = 8, hash = (SELECT hash FROM audit_events WHERE tenant_id = ? AND seq = 8) WHERE tenant_id = ?", tn.ID, tn.ID)
		}, 9, "events 9 to 10 are missing from the end of the trail: a signed checkpoint vouches for event 10"},
		{"rewritten, and the checkpoint re-signed with another key", func(t *testing.T, s *store.Store, tn mdm.Tenant, _ *notary) {
			rewriteFrom(t, s, tn.ID, 2)
			forger := newNotary()
			cp := audit.Checkpoint{TenantID: tn.ID, Seq: 4, PrevSeq: 1, At: testTime.Add(3 * time.Minute)}
			if err := store.TrailOf(s).AuditEvents(context.Background(), tn.ID, 3, func(e audit.Event) error {
				if e.Seq == 4 {
					cp.Hash = e.Hash
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			sig, cert, _ := forger.SignCheckpoint(cp.Payload())
			storetest.Exec(t, s, "UPDATE audit_checkpoints SET hash = ?, signature = ?, signer_cert = ? WHERE tenant_id = ? AND seq = 4", cp.Hash, sig, cert, tn.ID)
		}, 4, "the checkpoint at event 4 is not signed by the CA"},
		{"a checkpoint removed", func(t *testing.T, s *store.Store, tn mdm.Tenant, _ *notary) {
			storetest.Exec(t, s, "DELETE FROM audit_checkpoints WHERE tenant_id = ? AND seq = 7", tn.ID)
		}, 7, "the checkpoint at event 7 was removed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				clk, n := &storetest.Clock{T: testTime}, newNotary()
				svc, tn := checkpointed(t, s, n, 3, clk)
				appendEvents(t, svc, tn, clk, 9)
				if got := checkpointSeqs(t, s, tn.ID); !slices.Equal(got, []int64{1, 4, 7, 10}) {
					t.Fatalf("checkpoints at %v", got)
				}
				dropGuards(t, s)
				c.tamper(t, s, tn, n)
				r, err := svc.Trail.VerifyTenantAudit(context.Background(), tn)
				if err != nil {
					t.Fatal(err)
				}
				if c.wantSeq == 0 {
					if r.Break != nil || r.Events != 10 || r.Checkpoints != 4 {
						t.Fatalf("intact trail: %+v", r)
					}
					return
				}
				if r.Break == nil || r.Break.Seq != c.wantSeq || !strings.Contains(r.Break.Problem, c.want) || r.Events != c.wantSeq-1 {
					t.Fatalf("got %+v (break %+v), want a break at %d after %d events, containing %q", r, r.Break, c.wantSeq, c.wantSeq-1, c.want)
				}
			})
		})
	}
}

// The rewrite above is a faithful one: on a trail without checkpoints it goes unseen.
// That is the gap the checkpoints close.
func TestARewrittenChainWithoutCheckpointsLooksIntact(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		svc, tn := auditedTenant(t, s, 6)
		dropGuards(t, s)
		rewriteFrom(t, s, tn.ID, 2)
		r, err := svc.Trail.VerifyTenantAudit(context.Background(), tn)
		if err != nil || r.Break != nil {
			t.Fatalf("verify: %+v, %v; the chain alone cannot see a consistent rewrite", r.Break, err)
		}
	})
}

func TestVerifyingCheckpointsNeedsAVerifier(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		n := newNotary()
		svc := domain.NewWith(s, storetest.PlainSealer{}, domain.Options{Trail: []trail.Option{trail.WithAuditSigner(n)}},
			storetest.Platforms())
		tn := storetest.Tenant(t, svc, "musterstadt")
		_, err := svc.Trail.VerifyTenantAudit(context.Background(), tn)
		if err == nil || !strings.Contains(err.Error(), "no verifier") {
			t.Fatalf("verify without a verifier: %v, want an error, not a pass", err)
		}
	})
}

func TestCheckpointsCannotBeChangedThroughSQL(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clk := &storetest.Clock{T: testTime}
		_, tn := checkpointed(t, s, newNotary(), 3, clk)
		queries := []string{
			"UPDATE audit_checkpoints SET at = at WHERE tenant_id = ?",
			"DELETE FROM audit_checkpoints WHERE tenant_id = ?",
		}
		if s.Postgres() {
			queries = append(queries, "TRUNCATE audit_checkpoints", "TRUNCATE audit_events")
		}
		for _, q := range queries {
			args := []any{tn.ID}
			if !strings.Contains(q, "?") {
				args = nil
			}
			if err := storetest.RawExec(s, q, args...); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: got %v, want refusal", q, err)
			}
		}
		if n := storetest.Count(t, s, "audit_checkpoints", "tenant_id = ?", tn.ID); n != 1 {
			t.Fatalf("%d checkpoints left, want 1", n)
		}
	})
}
