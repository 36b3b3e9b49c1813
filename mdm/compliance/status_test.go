package compliance_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/compliance"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// A batch of status reports from two tenants, one device reported twice: each device ends
// with its last report, the verdict settled in the same transaction follows it, each
// verdict change is one audit event, and nothing else changes.
func TestStatusReportsOfABatchApplyInOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := storetest.Populate(t, s, newService(s), "musterstadt", storetest.WorldTime)
		b := storetest.Populate(t, s, newService(s), "beispielheim", storetest.WorldTime)
		at := testTime.Add(time.Hour)
		bad := compliance.DeviceStatus{OSVersion: "19", SecurityPatchLevel: "2026-10-01", Compliance: mdm.ComplianceNonCompliant,
			NonCompliance: []string{"passwordPolicies: PASSWORD_NOT_SET"}}
		good := compliance.DeviceStatus{OSVersion: "19", SecurityPatchLevel: "2026-11-01", Compliance: mdm.ComplianceCompliant}
		svc := newService(s)
		err := s.Atomic(ctx, func(tx mdm.Store) error {
			recorded, err := svc.Compliance.RecordDeviceStatuses(ctx, tx, at, []compliance.StatusReport{
				{Device: a.Device, Status: bad}, {Device: b.Device, Status: bad}, {Device: a.Device, Status: good}})
			if err != nil {
				return err
			}
			reports := make([]compliance.Report, len(recorded))
			for i, d := range recorded {
				reports[i] = compliance.Report{Device: d}
			}
			return svc.Compliance.Check(ctx, tx, at, reports)
		})
		if err != nil {
			t.Fatal(err)
		}
		da, _ := s.Devices().Device(ctx, a.Tenant.ID, a.Device.ID)
		db, _ := s.Devices().Device(ctx, b.Tenant.ID, b.Device.ID)
		if da.Compliance != mdm.ComplianceCompliant || da.SecurityPatchLevel != "2026-11-01" || da.NonCompliance != "" || !da.LastContactAt.Equal(at) {
			t.Errorf("the device reported twice is %+v, want its last report", da)
		}
		if db.Compliance != mdm.ComplianceNonCompliant || db.NonCompliance != "passwordPolicies: PASSWORD_NOT_SET" || db.EmployeeID != b.Employee.ID {
			t.Errorf("the other tenant's device is %+v", db)
		}
		if got := complianceEvents(t, s, a.Tenant.ID); len(got) != 0 {
			t.Errorf("audit of the first tenant: %v, want none: its verdict ends where it began", got)
		}
		if got := complianceEvents(t, s, b.Tenant.ID); len(got) != 1 || got[0] != "noncompliant" {
			t.Errorf("audit of the second tenant: %v, want one change to noncompliant", got)
		}
	})
}

// A report naming a device of another tenant changes nothing, in either tenant.
func TestStatusReportForAnotherTenantsDeviceChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := storetest.Populate(t, s, newService(s), "musterstadt", storetest.WorldTime)
		b := storetest.Populate(t, s, newService(s), "beispielheim", storetest.WorldTime)
		st := compliance.DeviceStatus{OSVersion: "19", Compliance: mdm.ComplianceCompliant}
		err := s.Atomic(ctx, func(tx mdm.Store) error {
			return store.ComplianceOf(tx).SetDeviceStatuses(ctx, a.Tenant.ID, map[string]compliance.DeviceStatus{a.Device.ID: st, b.Device.ID: st}, testTime.Add(time.Hour))
		})
		if !errors.Is(err, mdm.ErrNotFound) {
			t.Fatalf("a batch naming another tenant's device: %v, want ErrNotFound", err)
		}
		for _, w := range []storetest.World{a, b} {
			if d, _ := s.Devices().Device(ctx, w.Tenant.ID, w.Device.ID); d.OSVersion != "18.4" {
				t.Errorf("device of %s changed to %+v", w.Tenant.Name, d)
			}
		}
	})
}

func complianceEvents(t *testing.T, s *store.Store, tenantID string) []string {
	t.Helper()
	var to []string
	for _, e := range events(t, s, tenantID, "device.compliance") {
		var d struct{ To string }
		if err := json.Unmarshal([]byte(e.Details), &d); err != nil {
			t.Fatal(err)
		}
		to = append(to, d.To)
	}
	return to
}
