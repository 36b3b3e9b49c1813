package compliance_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/compliance"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// BenchmarkComplianceStatusBatch measures a batch of 1,000 Android status reports as the
// Pub/Sub batch writes it: the devices' status in one transaction, then every rule of
// their work policy evaluated (rules off, all six rules on, and all on with every tenth
// report flipping a rule's verdict, which opens or ends a failure with its history row
// and audit event). Each report carries a new patch level, so every device row is
// written. It reports the process's CPU time per report.
func BenchmarkComplianceStatusBatch(b *testing.B) {
	const batch = 1000
	cases := []struct {
		name  string
		rules bool
		flip  bool
	}{{"rules=off", false, false}, {"rules=on", true, false}, {"rules=on,flips=10%", true, true}}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			benchEach(b, func(b *testing.B, s *store.Store) {
				ctx := context.Background()
				svc := newService(s)
				w := storetest.Populate(b, s, svc, "musterstadt", storetest.WorldTime)
				ds := seedAndroid(b, s, w, batch)
				if tc.rules {
					storetest.Exec(b, s, "UPDATE work_policies SET work_passcode_required = ? WHERE id = ?", true, w.Policy.ID)
					err := svc.Compliance.SetPolicyRules(ctx, "bench", w.Tenant, w.Policy.ID, []compliance.RuleSetting{
						{Rule: compliance.RuleAndroidVersion, MinVersion: "14", GraceDays: 7, Consequences: []compliance.Consequence{compliance.ConsequenceNotify, compliance.ConsequenceRevoke}},
						{Rule: compliance.RuleIOSVersion, MinVersion: "18.4"},
						{Rule: compliance.RulePatchAge, Days: 90, GraceDays: 7, Consequences: []compliance.Consequence{compliance.ConsequenceNotify, compliance.ConsequenceMark}},
						{Rule: compliance.RuleWorkPasscode, GraceDays: 3, Consequences: []compliance.Consequence{compliance.ConsequenceLock}},
						{Rule: compliance.RuleIntegrity, Consequences: []compliance.Consequence{compliance.ConsequenceRevoke}},
						{Rule: compliance.RuleContact, Days: 30},
					})
					if err != nil {
						b.Fatal(err)
					}
				}
				round, reports := 0, 0
				start := cpuTime()
				for b.Loop() {
					round++
					patch := time.Now().AddDate(0, 0, -round%60).Format("2006-01-02")
					status := make([]compliance.StatusReport, len(ds))
					for i, d := range ds {
						status[i] = compliance.StatusReport{Device: d, Status: compliance.DeviceStatus{OSVersion: "15", SecurityPatchLevel: patch, Compliance: mdm.ComplianceCompliant},
							Facts: compliance.Facts{Passcode: compliance.FindingMet, Integrity: compliance.FindingMet, IntegrityDetail: "SECURE"}}
						if tc.flip && i%10 == 0 && round%2 == 1 {
							status[i].Facts.Integrity, status[i].Facts.IntegrityDetail = compliance.FindingFailed, "AT_RISK"
						}
					}
					err := s.Atomic(ctx, func(tx mdm.Store) error {
						return svc.Compliance.ReportStatuses(ctx, tx, time.Now().UTC().Truncate(time.Microsecond), status)
					})
					if err != nil {
						b.Fatal(err)
					}
					reports += len(ds)
				}
				b.ReportMetric(float64((cpuTime()-start).Microseconds())/float64(reports), "cpu-µs/report")
			})
		})
	}
}

// seedAndroid gives the world's policy n active Android devices.
func seedAndroid(b *testing.B, s *store.Store, w storetest.World, n int) []mdm.Device {
	b.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	ds := make([]mdm.Device, n)
	err := s.Atomic(ctx, func(tx mdm.Store) error {
		for i := range ds {
			ds[i] = mdm.Device{ID: mdm.NewID(), EmployeeID: w.Employee.ID, WorkPolicyID: &w.Policy.ID, Platform: mdm.PlatformAndroid,
				PlatformID: fmt.Sprintf("enterprises/LC1/devices/%d", i), State: mdm.DeviceActive, OSVersion: "15",
				Compliance: mdm.ComplianceCompliant, LastContactAt: &now, CreatedAt: now, UpdatedAt: now}
			if err := tx.Devices().CreateDevice(ctx, w.Tenant.ID, &ds[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return ds
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
