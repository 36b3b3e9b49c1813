package trail_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// tamper lets a test play an attacker with database access: it drops the append-only
// triggers and runs sql.
func tamper(t *testing.T, s *store.Store, sql string, args ...any) {
	t.Helper()
	drop := []string{"DROP TRIGGER IF EXISTS audit_events_no_update", "DROP TRIGGER IF EXISTS audit_events_no_delete"}
	if s.Postgres() {
		drop = []string{"DROP TRIGGER IF EXISTS audit_events_no_update ON audit_events"}
	}
	for _, q := range append(drop, sql) {
		if err := storetest.RawExec(s, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		args = nil
	}
}

func auditedTenant(t *testing.T, s *store.Store, events int) (*domain.Services, mdm.Tenant) {
	t.Helper()
	svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms())
	tn := storetest.Tenant(t, svc, "musterstadt")
	for i := 1; i < events; i++ {
		if _, err := svc.Enrolment.Invite(context.Background(), "cli:root", tn, enrolment.InviteRequest{Email: fmt.Sprintf("e%d@musterstadt.example", i)}); err != nil {
			t.Fatal(err)
		}
	}
	return svc, tn
}

// Whoever can write to the database must not be able to rewrite the audit trail unseen:
// `audit verify` names the first event that was changed, removed, inserted or reordered.
func TestAuditVerifyFindsTampering(t *testing.T) {
	cases := []struct {
		name    string
		sql     string
		wantSeq int64
		want    string
	}{
		{"nothing changed", "", 0, ""},
		{"details changed", "UPDATE audit_events SET details = '{\"employee\":\"someone else\"}' WHERE seq = 3", 3, "was changed"},
		{"actor changed", "UPDATE audit_events SET actor = 'system' WHERE seq = 2", 2, "was changed"},
		{"event deleted", "DELETE FROM audit_events WHERE seq = 4", 4, "event 4 is missing"},
		{"last events deleted", "DELETE FROM audit_events WHERE seq >= 5", 5, "missing from the end"},
		{"events swapped", "UPDATE audit_events SET seq = -2 WHERE seq = 2; UPDATE audit_events SET seq = 2 WHERE seq = 3; UPDATE audit_events SET seq = 3 WHERE seq = -2", 2, "was changed"},
		{"event inserted", "INSERT INTO audit_events (tenant_id, seq, at, actor, action, subject, details, prev_hash, hash) " +
			"SELECT tenant_id, 7, at, actor, 'forged.action', subject, details, prev_hash, hash FROM audit_events WHERE seq = 6", 7, "was changed"},
		{"event copied past the recorded end", "INSERT INTO audit_events (tenant_id, seq, at, actor, action, subject, details, prev_hash, hash) " +
			"SELECT tenant_id, 7, at, actor, action, subject, details, prev_hash, hash FROM audit_events WHERE seq = 6", 7, "was changed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				svc, tn := auditedTenant(t, s, 6)
				for q := range strings.SplitSeq(c.sql, "; ") {
					if q != "" {
						tamper(t, s, strings.ReplaceAll(q, "WHERE", "WHERE tenant_id = '"+tn.ID+"' AND"))
					}
				}
				r, err := svc.Trail.VerifyTenantAudit(context.Background(), tn)
				if err != nil {
					t.Fatal(err)
				}
				if c.wantSeq == 0 {
					if r.Break != nil || r.Events != 6 {
						t.Fatalf("intact trail: %+v", r)
					}
					return
				}
				if r.Break == nil || r.Break.Seq != c.wantSeq || !strings.Contains(r.Break.Problem, c.want) {
					t.Fatalf("got %+v, want break at %d containing %q", r.Break, c.wantSeq, c.want)
				}
			})
		})
	}
}

// On top of the hash chain, the database itself refuses to change or delete an event.
func TestAuditEventsCannotBeChangedThroughSQL(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		_, tn := auditedTenant(t, s, 2)
		for _, q := range []string{
			"UPDATE audit_events SET actor = 'system' WHERE tenant_id = ?",
			"DELETE FROM audit_events WHERE tenant_id = ?",
		} {
			err := storetest.RawExec(s, q, tn.ID)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: got %v, want refusal", q, err)
			}
		}
		if n := storetest.Count(t, s, "audit_events", "tenant_id = ?", tn.ID); n != 2 {
			t.Fatalf("%d events left, want 2", n)
		}
	})
}

// Several writers appending at once (as several replicas would) queue on the chain head:
// the trail stays one unbroken chain without gaps.
func TestConcurrentAppendsKeepOneChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		svc, tn := auditedTenant(t, s, 1)
		const writers, each = 8, 10
		inviteConcurrently(t, svc, tn, writers, each)
		r, err := svc.Trail.VerifyTenantAudit(context.Background(), tn)
		if err != nil || r.Break != nil || r.Events != 1+writers*each {
			t.Fatalf("after concurrent appends: %+v, %v", r, err)
		}
	})
}

// inviteConcurrently has writers goroutines invite each employees apiece, as several
// replicas would at once, and fails the test on the first error.
func inviteConcurrently(t *testing.T, svc *domain.Services, tn mdm.Tenant, writers, each int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				_, err := svc.Enrolment.Invite(context.Background(), "cli:root", tn, enrolment.InviteRequest{Email: fmt.Sprintf("w%d-%d@musterstadt.example", w, i)})
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}
