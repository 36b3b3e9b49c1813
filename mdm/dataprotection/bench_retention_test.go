package dataprotection_test

import (
	"context"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// retentionBacklog is the number of removed devices the retention benchmark deletes.
const retentionBacklog = 100_000

// BenchmarkDeviceRetention measures the retention job on a backlog of 100,000 devices
// removed longer ago than the retention period: each goes with its commands and leaves a
// deletion record in the audit trail. Run it with -benchtime 1x; every iteration fills the
// backlog anew outside the timer.
func BenchmarkDeviceRetention(b *testing.B) {
	s := storetest.Open(b, storetest.SQLite)
	ctx := context.Background()
	svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithClock(func() time.Time { return testTime.AddDate(0, 0, 60) }))
	tn := storetest.Tenant(b, svc, "musterstadt")
	emp := mdm.Employee{ID: mdm.NewID(), Email: "anna@musterstadt.example", CreatedAt: testTime}
	if err := store.EnrolmentOf(s).CreateEmployee(ctx, tn.ID, &emp); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		fillRemovedDevices(b, s, tn, emp)
		b.StartTimer()
		n, err := svc.DataProtection.PurgeRemovedDevices(ctx)
		if err != nil || n != retentionBacklog {
			b.Fatalf("deleted %d, %v", n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/retentionBacklog, "µs/device")
}

// fillRemovedDevices stores the backlog of removed devices, each with one command.
func fillRemovedDevices(b *testing.B, s *store.Store, tn mdm.Tenant, emp mdm.Employee) {
	b.Helper()
	ds := make([]mdm.Device, retentionBacklog)
	cs := make([]mdm.Command, retentionBacklog)
	for i := range ds {
		ds[i] = mdm.Device{ID: mdm.NewID(), TenantID: tn.ID, EmployeeID: emp.ID, Platform: mdm.PlatformAndroid,
			State: mdm.DeviceRemoved, Compliance: mdm.ComplianceUnknown, CreatedAt: testTime, UpdatedAt: testTime}
		cs[i] = mdm.Command{ID: mdm.NewID(), TenantID: tn.ID, DeviceID: ds[i].ID, Kind: mdm.CommandRemoveWorkData,
			Payload: mdm.EmptyJSONObject, State: mdm.CommandAcknowledged, CreatedAt: testTime}
	}
	db := s.Tables().DB()
	if err := db.CreateInBatches(ds, 500).Error; err != nil {
		b.Fatal(err)
	}
	if err := db.CreateInBatches(cs, 500).Error; err != nil {
		b.Fatal(err)
	}
}
