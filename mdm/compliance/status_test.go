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
			return svc.Compliance.ReportStatuses(ctx, tx, at, []compliance.StatusReport{
				{Device: a.Device, Status: bad}, {Device: b.Device, Status: bad}, {Device: a.Device, Status: good}})
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
		da, db := a.Device, b.Device
		da.OSVersion, db.OSVersion = "19", "19"
		err := s.Atomic(ctx, func(tx mdm.Store) error {
			return store.ComplianceOf(tx).WriteStatuses(ctx, a.Tenant.ID, []mdm.Device{da, db}, testTime.Add(time.Hour))
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

// A report whose status is the one recorded a moment ago, but whose facts break a rule,
// still settles the new verdict: the device's row is written for the verdict alone, and
// its contact stays as recorded (a report that changes nothing is not written within
// ContactResolution).
func TestAReportThatChangesOnlyTheVerdictIsWritten(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := &storetest.Clock{T: testTime.Add(time.Hour)}
		svc, w := complianceWorld(t, s, mdm.PlatformAndroid, c, &fakeCA{})
		setRules(t, svc, w, compliance.RuleSetting{Rule: compliance.RuleIntegrity, GraceDays: 3,
			Consequences: []compliance.Consequence{compliance.ConsequenceMark}})
		st := compliance.DeviceStatus{OSVersion: "15", SecurityPatchLevel: "2026-11-01", Compliance: mdm.ComplianceCompliant}
		if err := svc.Compliance.ReportDevice(ctx, w.Tenant.ID, w.Device.ID, &st,
			compliance.Facts{Integrity: compliance.FindingMet, IntegrityDetail: "SECURE"}); err != nil {
			t.Fatal(err)
		}
		first, _ := s.Devices().Device(ctx, w.Tenant.ID, w.Device.ID)
		if first.Compliance != mdm.ComplianceCompliant || first.LastContactAt == nil {
			t.Fatalf("after a clean report: %+v", first)
		}
		c.Advance(10 * time.Second)
		if err := svc.Compliance.ReportDevice(ctx, w.Tenant.ID, w.Device.ID, &st,
			compliance.Facts{Integrity: compliance.FindingFailed, IntegrityDetail: "AT_RISK"}); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Devices().Device(ctx, w.Tenant.ID, w.Device.ID)
		if got.Compliance != mdm.ComplianceInGrace || got.ComplianceUntil == nil || got.ComplianceReasons == "" {
			t.Fatalf("after a report breaking the integrity rule: verdict %q until %v (%q), want in grace", got.Compliance, got.ComplianceUntil, got.ComplianceReasons)
		}
		if !got.LastContactAt.Equal(*first.LastContactAt) || got.OSVersion != "15" {
			t.Fatalf("the unchanged status was rewritten: contact %v (was %v), %+v", got.LastContactAt, first.LastContactAt, got)
		}
		if n := len(events(t, s, w.Tenant.ID, "device.compliance")); n != 1 {
			t.Fatalf("%d verdict changes audited, want 1 (compliant → in grace)", n)
		}
	})
}
