package store_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
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
				w := populate(b, s, svc, "musterstadt")
				ds := seedAndroid(b, s, w, batch)
				if tc.rules {
					raw(b, s, "UPDATE work_policies SET work_passcode_required = ? WHERE id = ?", true, w.policy.ID)
					err := svc.SetPolicyRules(ctx, "bench", w.tenant, w.policy.ID, []mdm.RuleSetting{
						{Rule: mdm.RuleAndroidVersion, MinVersion: "14", GraceDays: 7, Consequences: []mdm.Consequence{mdm.ConsequenceNotify, mdm.ConsequenceRevoke}},
						{Rule: mdm.RuleIOSVersion, MinVersion: "18.4"},
						{Rule: mdm.RulePatchAge, Days: 90, GraceDays: 7, Consequences: []mdm.Consequence{mdm.ConsequenceNotify, mdm.ConsequenceMark}},
						{Rule: mdm.RuleWorkPasscode, GraceDays: 3, Consequences: []mdm.Consequence{mdm.ConsequenceLock}},
						{Rule: mdm.RuleIntegrity, Consequences: []mdm.Consequence{mdm.ConsequenceRevoke}},
						{Rule: mdm.RuleContact, Days: 30},
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
					status := make([]mdm.StatusReport, len(ds))
					facts := make([]mdm.ComplianceFacts, len(ds))
					for i, d := range ds {
						status[i] = mdm.StatusReport{Device: d, Status: mdm.DeviceStatus{OSVersion: "15", SecurityPatchLevel: patch, Compliance: mdm.ComplianceCompliant}}
						facts[i] = mdm.ComplianceFacts{Passcode: mdm.FindingMet, Integrity: mdm.FindingMet, IntegrityDetail: "SECURE"}
						if tc.flip && i%10 == 0 && round%2 == 1 {
							facts[i].Integrity, facts[i].IntegrityDetail = mdm.FindingFailed, "AT_RISK"
						}
					}
					err := s.Atomic(ctx, func(tx mdm.Store) error {
						at := time.Now().UTC().Truncate(time.Microsecond)
						recorded, err := mdm.RecordDeviceStatuses(ctx, tx, at, status)
						if err != nil {
							return err
						}
						reports := make([]mdm.ComplianceReport, len(recorded))
						for i, d := range recorded {
							reports[i] = mdm.ComplianceReport{Device: d, Facts: facts[i]}
						}
						return svc.CheckCompliance(ctx, tx, at, reports)
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
func seedAndroid(b *testing.B, s *store.Store, w world, n int) []mdm.Device {
	b.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	ds := make([]mdm.Device, n)
	err := s.Atomic(ctx, func(tx mdm.Store) error {
		for i := range ds {
			ds[i] = mdm.Device{ID: mdm.NewID(), EmployeeID: w.employee.ID, WorkPolicyID: &w.policy.ID, Platform: mdm.PlatformAndroid,
				PlatformID: fmt.Sprintf("enterprises/LC1/devices/%d", i), State: mdm.DeviceActive, OSVersion: "15",
				Compliance: mdm.ComplianceCompliant, LastContactAt: &now, CreatedAt: now, UpdatedAt: now}
			if err := tx.CreateDevice(ctx, w.tenant.ID, &ds[i]); err != nil {
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
