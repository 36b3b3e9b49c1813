package main

import (
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// auditReport is what `audit verify --json` prints.
type auditReport struct {
	OK      bool `json:"ok"`
	Tenants []struct {
		Tenant     string `json:"tenant"`
		Events     int64  `json:"events"`
		OK         bool   `json:"ok"`
		FirstBreak *struct {
			Seq     int64  `json:"seq"`
			Problem string `json:"problem"`
		} `json:"first_break"`
	} `json:"tenants"`
}

func TestAuditVerifyCountsTheEventsOfEveryTenant(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		s.platformsSetUp(t, "default")
		s.run(t, "tenant", "create", "musterstadt").wantCode(t, 0)
		s.platformsSetUp(t, "musterstadt")
		s.run(t, "invite", "create", "--tenant", "musterstadt", "--email", "anna@musterstadt.de", "--qr", "-").wantCode(t, 0)

		r := s.run(t, "audit", "verify", "--json")
		r.wantCode(t, 0)
		var report auditReport
		r.decode(t, &report)
		if !report.OK || len(report.Tenants) != 2 {
			t.Fatalf("audit verify reported\n%s\nwant ok with two tenants", r.stdout)
		}
		// default: its creation and its first administrator; musterstadt: its creation and
		// the invitation.
		for _, tr := range report.Tenants {
			if !tr.OK || tr.Events != 2 || tr.FirstBreak != nil {
				t.Errorf("tenant %s: ok %v, %d events, break %v; want ok, 2 events, no break", tr.Tenant, tr.OK, tr.Events, tr.FirstBreak)
			}
		}

		r = s.run(t, "audit", "verify", "--tenant", "musterstadt")
		r.wantCode(t, 0)
		if r.stdout != "musterstadt: intact, 2 events\n" {
			t.Errorf("audit verify --tenant musterstadt printed %q, want only that tenant, intact with 2 events", r.stdout)
		}
	})
}

func TestAuditVerifyFindsAChangedEvent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		s.platformsSetUp(t, "default")
		s.run(t, "tenant", "create", "musterstadt").wantCode(t, 0)
		s.platformsSetUp(t, "musterstadt")

		// Someone with access to the database drops the guard and rewrites history: the
		// details of the first administrator's creation.
		dropTrigger := "DROP TRIGGER audit_events_no_update"
		if backend == storetest.Postgres {
			dropTrigger += " ON audit_events"
		}
		db := s.sql(t)
		if err := db.Exec(dropTrigger).Error; err != nil {
			t.Fatal(err)
		}
		res := db.Exec(`UPDATE audit_events SET details = '{"email":"someone-else@localhost","role":"admin"}'
			WHERE seq = 2 AND tenant_id = (SELECT id FROM tenants WHERE name = 'default')`)
		if res.Error != nil || res.RowsAffected != 1 {
			t.Fatalf("tamper with event 2: %v (%d rows)", res.Error, res.RowsAffected)
		}

		r := s.run(t, "audit", "verify", "--json")
		r.wantCode(t, exitFailed)
		r.wantStderr(t, "not intact")
		var report auditReport
		r.decode(t, &report)
		if report.OK {
			t.Error("audit verify reports ok for a changed trail")
		}
		for _, tr := range report.Tenants {
			switch tr.Tenant {
			case "default":
				if tr.OK || tr.FirstBreak == nil || tr.FirstBreak.Seq != 2 || tr.Events != 1 {
					t.Errorf("tenant default: ok %v, %d events verified, break %+v; want broken at event 2 after 1 event",
						tr.OK, tr.Events, tr.FirstBreak)
				}
			case "musterstadt":
				if !tr.OK || tr.Events != 1 {
					t.Errorf("tenant musterstadt: ok %v, %d events; want intact with 1 event, untouched by the other tenant's break", tr.OK, tr.Events)
				}
			}
		}

		r = s.run(t, "audit", "verify")
		r.wantCode(t, exitFailed)
		if want := "default: BROKEN at event 2: event 2 was changed"; !strings.Contains(r.stdout, want) {
			t.Errorf("audit verify printed\n%s\nwant a line starting %q", r.stdout, want)
		}
	})
}
