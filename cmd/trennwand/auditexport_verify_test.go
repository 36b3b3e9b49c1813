package main

import (
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// An export leaves a checkpoint signed with a certificate of the CA (a tenant without one
// is due at its next event). `audit verify` checks it against the CA: a chain rewritten
// with every hash recomputed, and a checkpoint whose signature was taken from another, are
// both found.
func TestAuditVerifyChecksCheckpointsWithTheCA(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		s.run(t, "tenant", "create", "musterstadt").wantCode(t, 0)
		s.export(t, "--tenant", "default")
		s.export(t, "--tenant", "musterstadt")
		wantVerify(t, s, map[string]string{"default": "", "musterstadt": ""}, 2)

		db := s.sql(t)
		dropAuditGuards(t, db, backend)
		rewriteChain(t, db, tenantID(t, db, "default"), 2)
		wantVerify(t, s, map[string]string{
			"default":     "an event from 1 to 3 was changed and every hash after it recomputed",
			"musterstadt": "",
		}, 1)

		// A genuine signature, but over another checkpoint: default's, onto musterstadt's.
		err := db.Exec(`UPDATE audit_checkpoints SET signature = (SELECT signature FROM audit_checkpoints WHERE tenant_id = ?),
			signer_cert = (SELECT signer_cert FROM audit_checkpoints WHERE tenant_id = ?) WHERE tenant_id = ?`,
			tenantID(t, db, "default"), tenantID(t, db, "default"), tenantID(t, db, "musterstadt")).Error
		if err != nil {
			t.Fatal(err)
		}
		wantVerify(t, s, map[string]string{
			"default":     "an event from 1 to 3 was changed",
			"musterstadt": "the checkpoint at event 2 is not signed by the CA",
		}, 0)
	})
}

// wantVerify runs `audit verify` and checks each tenant's result: "" for intact, or a part
// of the problem reported; and how many checkpoints matched in all.
func wantVerify(t *testing.T, s site, want map[string]string, checkpoints int64) {
	t.Helper()
	r := s.run(t, "audit", "verify", "--json")
	var report struct {
		Tenants []struct {
			Tenant      string `json:"tenant"`
			OK          bool   `json:"ok"`
			Checkpoints int64  `json:"checkpoints"`
			FirstBreak  *struct {
				Problem string `json:"problem"`
			} `json:"first_break"`
		} `json:"tenants"`
	}
	r.decode(t, &report)
	var matched int64
	intact := true
	for _, tr := range report.Tenants {
		matched += tr.Checkpoints
		intact = intact && tr.OK
		switch w := want[tr.Tenant]; {
		case w == "" && !tr.OK:
			t.Errorf("tenant %s: broken (%+v), want intact", tr.Tenant, tr.FirstBreak)
		case w != "" && (tr.OK || !strings.Contains(tr.FirstBreak.Problem, w)):
			t.Errorf("tenant %s: ok %v, break %+v; want a break about %q", tr.Tenant, tr.OK, tr.FirstBreak, w)
		}
	}
	if matched != checkpoints {
		t.Errorf("%d checkpoints matched, want %d:\n%s", matched, checkpoints, r.stdout)
	}
	if wantCode := map[bool]int{true: 0, false: exitFailed}[intact]; r.code != wantCode {
		t.Errorf("exit code %d, want %d", r.code, wantCode)
	}
}

func tenantID(t *testing.T, db *gorm.DB, name string) string {
	t.Helper()
	var id string
	if err := db.Raw("SELECT id FROM tenants WHERE name = ?", name).Scan(&id).Error; err != nil || id == "" {
		t.Fatalf("tenant %s: %v", name, err)
	}
	return id
}

// dropAuditGuards plays an attacker with database access: the append-only triggers go.
func dropAuditGuards(t *testing.T, db *gorm.DB, backend string) {
	t.Helper()
	drop := []string{"DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete",
		"DROP TRIGGER audit_checkpoints_no_update", "DROP TRIGGER audit_checkpoints_no_delete"}
	if backend == storetest.Postgres {
		drop = []string{"DROP TRIGGER audit_events_no_update ON audit_events", "DROP TRIGGER audit_checkpoints_no_update ON audit_checkpoints"}
	}
	for _, q := range drop {
		if err := db.Exec(q).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// rewriteChain changes the actor of event seq and recomputes every later hash and the head.
func rewriteChain(t *testing.T, db *gorm.DB, tenantID string, seq int64) {
	t.Helper()
	var events []audit.Event
	if err := db.Table("audit_events").Where("tenant_id = ?", tenantID).Order("seq").Find(&events).Error; err != nil {
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
		if err := db.Exec("UPDATE audit_events SET actor = ?, prev_hash = ?, hash = ? WHERE tenant_id = ? AND seq = ?",
			e.Actor, e.PrevHash, e.Hash, tenantID, e.Seq).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Exec("UPDATE audit_heads SET hash = ? WHERE tenant_id = ?", prev, tenantID).Error; err != nil {
		t.Fatal(err)
	}
}
