package ios_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/ios/storage/storagetest"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// cpuTime is the CPU time the process has used so far, user and system.
func cpuTime(b *testing.B) time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		b.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// BenchmarkStatusReports measures the server's part of a declarative status report, once
// the request is authenticated: decoding, the device's OS version and passcode into the
// core's status and verdict, the work apps and the enrolment's row, in one transaction.
// "changing" flips the passcode with every report, so that each one settles a new verdict
// (failure, history, audit event); "steady" repeats what the phone said before. The CPU
// per report is this process's (a PostgreSQL server's own is not counted). Run it with:
//
//	go test -run '^$' -bench StatusReports -benchtime 2000x ./ios/
func BenchmarkStatusReports(b *testing.B) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		for _, changing := range []bool{true, false} {
			name := backend + "/steady"
			if changing {
				name = backend + "/changing"
			}
			b.Run(name, func(b *testing.B) {
				s := newSite(b, backend)
				s.declarativePolicy(b)
				const phones = 4
				devices := make([]mdm.Device, phones)
				for i := range devices {
					devices[i] = s.deviceOf(b, s.enrolledOn(b, fmt.Sprintf("p%d", i), "17.4"))
				}
				ctx := context.Background()
				report := func(i int) []byte {
					compliant := !changing || (i/phones)%2 == 0
					return fmt.Appendf(nil, `{"StatusItems":{"device":{"operating-system":{"version":"17.4","build-version":"21E219"}},
						"passcode":{"is-compliant":%t,"is-present":true},"app":{"managed":{"list":[{"identifier":%q,"state":"managed","short-version":"2.1"}]}}}}`,
						compliant, zeitApp)
				}
				cpu, i := cpuTime(b), 0
				for b.Loop() {
					if err := s.platform.IngestStatus(ctx, devices[i%phones], report(i)); err != nil {
						b.Fatal(err)
					}
					i++
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
				b.ReportMetric(float64((cpuTime(b)-cpu).Microseconds())/float64(b.N), "cpu-us/report")
			})
		}
	}
}

// BenchmarkPolicyChangeToTenThousandDeclarativePhones measures one change of a work
// policy that 10,000 declarative phones follow (a work app without configuration joins
// it), from the change until the fake APNs has taken every push: the policy job builds
// the set once, queues one DeclarativeManagement command for the phones with their new set
// in one transaction, and the pusher wakes each phone. Run it with:
//
//	go test -run '^$' -bench PolicyChangeToTenThousandDeclarativePhones -benchtime 3x -timeout 30m ./ios/
func BenchmarkPolicyChangeToTenThousandDeclarativePhones(b *testing.B) {
	benchPolicyChange(b, (*site).declarativePolicy, func(p *mdm.WorkPolicy, n int) {
		p.Apps = append(p.Apps[:2], mdm.AppAssignment{Platform: mdm.PlatformIOS, AppID: fmt.Sprintf("de.musterstadt.app%d", n), InstallType: mdm.InstallRequired})
	})
}

// BenchmarkMailAccountChangeToTenThousandDeclarativePhones measures one change of the
// work mail account of a policy that 10,000 declarative phones follow, each of another
// employee and so with a set of its own (its user identity), from the change until the
// fake APNs has taken every push: the policy job builds 10,000 sets and queues one
// DeclarativeManagement command without tokens for all phones, assigning every set in its
// transaction. Run it with:
//
//	go test -run '^$' -bench MailAccountChangeToTenThousandDeclarativePhones -benchtime 3x -timeout 30m ./ios/
func BenchmarkMailAccountChangeToTenThousandDeclarativePhones(b *testing.B) {
	benchPolicyChange(b, (*site).exchangePolicy, func(p *mdm.WorkPolicy, n int) { p.Mail.Name = fmt.Sprintf("Rathaus %d", n) })
}

// benchPolicyChange seeds 10,000 declarative phones of the policy newPolicy makes, gives
// each its first set before the queue runs (those pushes are not measured), and then
// measures each change (the n-th round's) until every phone's push has been taken.
func benchPolicyChange(b *testing.B, newPolicy func(*site, testing.TB) mdm.WorkPolicy, change func(p *mdm.WorkPolicy, n int)) {
	const phones = 10000
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		b.Run(backend, func(b *testing.B) {
			s := newSite(b, backend)
			ctx := context.Background()
			policy := newPolicy(s, b)
			seedDeclarativePhones(b, s, policy, phones)
			if err := s.platform.ApplyPolicy(ctx, s.tenant, policy); err != nil {
				b.Fatal(err)
			}
			fake := s.pushing(b)
			waitFor(b, func() bool { return fake.Count() >= phones })
			for n := 0; b.Loop(); n++ {
				before := fake.Count()
				change(&policy, n)
				var err error
				if policy, err = s.svc.WorkPolicy.UpdateWorkPolicy(ctx, "admin:test", s.tenant, policy); err != nil {
					b.Fatal(err)
				}
				waitFor(b, func() bool { return fake.Count() >= before+phones })
			}
			b.ReportMetric(float64(phones)*float64(b.N)/b.Elapsed().Seconds(), "phones/s")
		})
	}
}

// waitFor waits up to ten minutes for ok.
func waitFor(b *testing.B, ok func() bool) {
	deadline := time.Now().Add(10 * time.Minute)
	for !ok() {
		if time.Now().After(deadline) {
			b.Fatal("timed out")
		}
		time.Sleep(time.Millisecond)
	}
}

// seedDeclarativePhones writes n active iPhones of the policy, each with its employee, its
// enrolment and its switch to declarative management, straight into the tables.
func seedDeclarativePhones(b *testing.B, s *site, policy mdm.WorkPolicy, n int) {
	ids := storagetest.SeedEnrolments(b, s.st.Tables().DB(), n, testTopic)
	now := time.Now().UTC().Truncate(time.Microsecond)
	type ddmRow struct {
		EnrollmentID, TenantID, DeviceID string
		EnabledAt                        time.Time
	}
	err := s.st.Tables().DB().Transaction(func(tx *gorm.DB) error {
		for from := 0; from < n; from += 1000 {
			var es []mdm.Employee
			var ds []mdm.Device
			var rows []ddmRow
			for i := from; i < min(from+1000, n); i++ {
				e := mdm.Employee{ID: mdm.NewID(), TenantID: s.tenant.ID, Email: fmt.Sprintf("p%06d@musterstadt.example", i), CreatedAt: now}
				d := mdm.Device{ID: mdm.NewID(), TenantID: s.tenant.ID, EmployeeID: e.ID, Platform: mdm.PlatformIOS, PlatformID: ids[i],
					WorkPolicyID: &policy.ID, State: mdm.DeviceActive, Compliance: mdm.ComplianceUnknown, ReportedCompliance: mdm.ComplianceUnknown, OSVersion: "17.4", CreatedAt: now, UpdatedAt: now}
				es, ds = append(es, e), append(ds, d)
				rows = append(rows, ddmRow{EnrollmentID: ids[i], TenantID: s.tenant.ID, DeviceID: d.ID, EnabledAt: now})
			}
			if err := tx.Create(&es).Error; err != nil {
				return err
			}
			if err := tx.Create(&ds).Error; err != nil {
				return err
			}
			if err := tx.Table("ios_ddm_enrolments").Create(&rows).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
