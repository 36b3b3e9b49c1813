package dataprotection_test

import (
	"context"
	"testing"

	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// The access log lists who opened an employee or a device or made a report, each with
// whose data it was — the owner of a device too — and nothing that changed something;
// once a device is gone, its access stays listed without an owner. It reads in pages.
func TestTheAccessLogSaysWhoLookedAtWhom(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(s)
		w := storetest.Populate(t, s, svc, "musterstadt", testTime)
		if _, err := svc.ViewEmployee(ctx, "admin:it", w.Tenant, w.Employee.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ViewDevice(ctx, "admin:helpdesk", w.Tenant, w.Device.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.DataProtection.ReportEmployeeByID(ctx, "admin:dpo", w.Tenant, w.Employee.ID); err != nil {
			t.Fatal(err)
		}
		log, err := svc.DataProtection.AccessLog(ctx, w.Tenant, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			actor  string
			action audit.Action
		}{{"admin:it", audit.EmployeeView}, {"admin:helpdesk", audit.DeviceView}, {"admin:dpo", audit.EmployeeReport}}
		if len(log) != len(want) {
			t.Fatalf("the access log has %d entries, want %d: %+v", len(log), len(want), log)
		}
		for i, a := range log {
			if a.Actor != want[i].actor || a.Action != want[i].action || a.Whose == nil || a.Whose.ID != w.Employee.ID {
				t.Errorf("entry %d: %s %s %v, want %s %s on %s", i, a.Actor, a.Action, a.Whose, want[i].actor, want[i].action, w.Employee.Email)
			}
		}
		page, err := svc.DataProtection.AccessLog(ctx, w.Tenant, log[0].Seq, 1)
		if err != nil || len(page) != 1 || page[0].Seq != log[1].Seq {
			t.Fatalf("the page after the first entry: %+v, %v", page, err)
		}

		storetest.Exec(t, s, "DELETE FROM commands WHERE device_id = ?", w.Device.ID)
		storetest.Exec(t, s, "DELETE FROM devices WHERE id = ?", w.Device.ID)
		log, err = svc.DataProtection.AccessLog(ctx, w.Tenant, 0, 100)
		if err != nil || len(log) != 3 || log[1].Action != audit.DeviceView || log[1].Whose != nil {
			t.Fatalf("after the device went: %+v, %v", log, err)
		}
		other := storetest.Tenant(t, svc, "nachbarstadt")
		if log, err := svc.DataProtection.AccessLog(ctx, other, 0, 100); err != nil || len(log) != 0 {
			t.Fatalf("another tenant's access log: %+v, %v", log, err)
		}
	})
}
