package ios_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/trennwand/trennwand/ios/licences"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/jobs"
	"github.com/trennwand/trennwand/mdm/store"
)

// totalRequests adds up the requests the fake has had.
func totalRequests(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// BenchmarkAssociate1000 gives 1,000 employees with an active iPhone the licence of the
// app their work policy requires, through the job queue: reconciliation, registration of
// the users with Apple, associations of 25 users a request, and the polling of every
// event, until the fake counts 1,000 licences held.
func BenchmarkAssociate1000(b *testing.B) {
	const employees = 1000
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		s := newSite(b, "sqlite")
		fake, token := s.withLicences(b, employees)
		if _, err := s.lic.SetLicenceToken(ctx, "admin:test", s.tenant.ID, token); err != nil {
			b.Fatal(err)
		}
		if err := s.lic.SyncCatalogue(ctx, licences.SyncJob{TenantID: s.tenant.ID}); err != nil {
			b.Fatal(err)
		}
		wp := s.mailPolicy(b)
		for i := range employees {
			e := mdm.Employee{ID: mdm.NewID(), Email: fmt.Sprintf("e%d@musterstadt.example", i), ManagedAppleID: fmt.Sprintf("e%d@musterstadt.appleid.example", i), CreatedAt: time.Now().UTC()}
			if err := store.EnrolmentOf(s.st).CreateEmployee(ctx, s.tenant.ID, &e); err != nil {
				b.Fatal(err)
			}
			d := mdm.Device{ID: mdm.NewID(), EmployeeID: e.ID, WorkPolicyID: &wp.ID, Platform: mdm.PlatformIOS, PlatformID: mdm.NewID(),
				State: mdm.DeviceActive, Compliance: mdm.ComplianceUnknown, CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC()}
			if err := s.st.Devices().CreateDevice(ctx, s.tenant.ID, &d); err != nil {
				b.Fatal(err)
			}
		}
		q := jobs.New(s.st.JobDriver(), nil, jobs.Config{Poll: 20 * time.Millisecond})
		s.lic.HandleJobs(q)
		jobs.Handle(q, func(context.Context, mdm.ApplyPolicyJob) error { return nil })
		before := totalRequests(fake.Requests())
		b.StartTimer()
		if err := q.Start(ctx); err != nil {
			b.Fatal(err)
		}
		if err := s.st.EnqueueJob(ctx, licences.ReconcileJob{TenantID: s.tenant.ID}, mdm.JobOptions{}); err != nil {
			b.Fatal(err)
		}

		waitUntil(b, "every employee holds a licence", func() bool { return len(fake.Assigned(token, mailAdamID)) == employees })
		b.StopTimer()
		b.ReportMetric(float64(totalRequests(fake.Requests())-before), "requests/op")
		stop, cancel := context.WithTimeout(ctx, 5*time.Second)
		_ = q.Stop(stop)
		cancel()
	}
}
