package trail_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// record appends events of the tenant at the clock's time, a day apart.
func record(t *testing.T, svc *domain.Services, tn mdm.Tenant, c *storetest.Clock, rs ...audit.Record) {
	t.Helper()
	for _, r := range rs {
		c.Advance(24 * time.Hour)
		if err := svc.Record(context.Background(), tn.ID, r); err != nil {
			t.Fatal(err)
		}
	}
}

func seqs(events []audit.Event) []int64 {
	out := make([]int64, len(events))
	for i, e := range events {
		out[i] = e.Seq
	}
	return out
}

// The audit page reads the trail newest first, page by page, narrowed by time, actor,
// device, employee and actions, and never sees another tenant's events.
func TestTheTrailReadsNewestFirstWithFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := &storetest.Clock{T: testTime}
		svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithClock(c.Now))
		w := storetest.Populate(t, s, svc, "musterstadt", testTime)
		other := storetest.Populate(t, s, svc, "nachbarort", testTime)
		head, err := svc.Trail.AuditHead(ctx, w.Tenant.ID)
		if err != nil {
			t.Fatal(err)
		}
		base := head.Seq
		record(t, svc, w.Tenant, c,
			audit.Record{Actor: "admin:it", Action: audit.DeviceView, Subject: audit.Device.Of(w.Device.ID)},           // base+1, day 1
			audit.Record{Actor: "admin:dpo", Action: audit.EmployeeView, Subject: audit.Employee.Of(w.Employee.ID)},    // base+2, day 2
			audit.Record{Actor: "admin:it", Action: audit.DeviceCommand, Subject: audit.Device.Of(w.Device.ID)},        // base+3, day 3
			audit.Record{Actor: "admin:it", Action: audit.WorkPolicyUpdate, Subject: audit.WorkPolicy.Of(w.Policy.ID)}, // base+4, day 4
		)
		record(t, svc, other.Tenant, c, audit.Record{Actor: "admin:it", Action: audit.DeviceView, Subject: audit.Device.Of(other.Device.ID)})

		page := func(f mdm.AuditFilter, after mdm.AuditCursor, limit int) ([]int64, *mdm.AuditCursor) {
			t.Helper()
			events, next, err := svc.Trail.LatestAuditPage(ctx, w.Tenant, f, after, limit)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range events {
				if e.TenantID != w.Tenant.ID {
					t.Fatalf("event %d of another tenant", e.Seq)
				}
			}
			return seqs(events), next
		}
		first, next := page(mdm.AuditFilter{}, mdm.AuditCursor{}, 3)
		if !slices.Equal(first, []int64{base + 4, base + 3, base + 2}) || next == nil {
			t.Fatalf("first page %v, next %v; want the three newest and a next page", first, next)
		}
		second, _ := page(mdm.AuditFilter{}, *next, 3)
		if !slices.Equal(second, []int64{base + 1, base, base - 1}) {
			t.Fatalf("second page %v", second)
		}
		day := func(n int) time.Time { return testTime.Add(time.Duration(n) * 24 * time.Hour) }
		cases := []struct {
			name string
			f    mdm.AuditFilter
			want []int64
		}{
			{"days 2 and 3", mdm.AuditFilter{From: day(2), To: day(4)}, []int64{base + 3, base + 2}},
			{"one actor", mdm.AuditFilter{Actor: "admin:dpo"}, []int64{base + 2}},
			{"one device", mdm.AuditFilter{DeviceID: w.Device.ID, From: day(1)}, []int64{base + 3, base + 1}},
			{"one employee, from day 1", mdm.AuditFilter{EmployeeID: w.Employee.ID, From: day(1)}, []int64{base + 3, base + 2, base + 1}},
			{"the access group", mdm.AuditFilter{Actions: audit.GroupAccess.Actions(), From: day(1)}, []int64{base + 2, base + 1}},
			{"the device of the other tenant", mdm.AuditFilter{DeviceID: other.Device.ID}, nil},
		}
		for _, tc := range cases {
			if got, next := page(tc.f, mdm.AuditCursor{}, 50); !slices.Equal(got, tc.want) || next != nil {
				t.Errorf("%s: %v (next %v), want %v", tc.name, got, next, tc.want)
			}
		}
	})
}

// A statement names each party as its owner names it now: the device by platform and
// owner, the policy by its current name, the administrator by address and role; a device
// deleted since reads as removed.
func TestAStatementNamesThePartiesAsTheyAreNow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms())
		w := storetest.Populate(t, s, svc, "musterstadt", testTime)
		admin, _, err := svc.Access.CreateAdmin(ctx, "test", w.Tenant, "it@musterstadt.example", mdm.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		actor := audit.Admin.Of(admin.ID)
		for _, r := range []audit.Record{
			{Actor: actor, Action: audit.DeviceCommand, Subject: audit.Device.Of(w.Device.ID), Details: audit.Fields(map[string]any{"reason": "verloren"})},
			{Actor: actor, Action: audit.WorkPolicyUpdate, Subject: audit.WorkPolicy.Of(w.Policy.ID)},
			{Actor: mdm.ActorSystem, Action: audit.DeviceDelete, Subject: audit.Device.Of(mdm.NewID()), Details: audit.Fields(map[string]any{"platform": "android"})},
		} {
			if err := svc.Record(ctx, w.Tenant.ID, r); err != nil {
				t.Fatal(err)
			}
		}
		storetest.Exec(t, s, "UPDATE work_policies SET name = ? WHERE id = ?", "Verwaltung neu", w.Policy.ID)
		events, _, err := svc.Trail.LatestAuditPage(ctx, w.Tenant, mdm.AuditFilter{}, mdm.AuditCursor{}, 3)
		if err != nil {
			t.Fatal(err)
		}
		st, err := svc.Trail.Describe(ctx, w.Tenant, events)
		if err != nil {
			t.Fatal(err)
		}
		deleted, policy, command := st[0], st[1], st[2]
		if !deleted.Subject.Removed || deleted.Subject.Platform != "android" || deleted.Actor.Kind != audit.ActorSystem {
			t.Errorf("the deleted device: %+v by %+v", deleted.Subject, deleted.Actor)
		}
		if policy.Subject.Name != "Verwaltung neu" || policy.Actor.Name != "it@musterstadt.example" || policy.Actor.Role != "admin" {
			t.Errorf("the policy change: %+v by %+v", policy.Subject, policy.Actor)
		}
		if command.Subject.Owner != "Anna" || command.Subject.Platform != "ios" || command.Subject.Removed || command.Reason != "verloren" {
			t.Errorf("the command: %+v, reason %q", command.Subject, command.Reason)
		}
	})
}
