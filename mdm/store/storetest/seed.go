package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
)

// SeedDevices gives the tenant n employees with one device each, written in large
// batches straight into the tables, for benchmarks that need a big installation. The rows
// vary the way real ones do: both platforms, every state, mostly compliant, created over
// the last year. With n prime to 48271 (any n not divisible by it) every name is used once.
func SeedDevices(t testing.TB, s *store.Store, tenantID string, n int) {
	t.Helper()
	const batch = 1000
	start := time.Now().UTC().Add(-365 * 24 * time.Hour).Truncate(time.Microsecond)
	states := []mdm.DeviceState{mdm.DeviceActive, mdm.DeviceActive, mdm.DeviceActive, mdm.DeviceEnrolling, mdm.DeviceInvited, mdm.DeviceRemoving, mdm.DeviceRemoved}
	compliance := []mdm.Compliance{mdm.ComplianceCompliant, mdm.ComplianceCompliant, mdm.ComplianceCompliant, mdm.ComplianceNonCompliant, mdm.ComplianceUnknown}
	err := s.Tables().DB().WithContext(context.Background()).Transaction(func(tx *gorm.DB) error {
		for from := 0; from < n; from += batch {
			var es []mdm.Employee
			var ds []mdm.Device
			for i := from; i < min(from+batch, n); i++ {
				at := start.Add(time.Duration(i) * (365 * 24 * time.Hour / time.Duration(n)))
				// Names are spread over the year, as they are when people join at random.
				k := i * 48271 % n
				e := mdm.Employee{ID: mdm.NewID(), TenantID: tenantID, Email: fmt.Sprintf("person%07d@example.org", k),
					Name: fmt.Sprintf("Person %07d", k), CreatedAt: at}
				platform := mdm.PlatformIOS
				if i%2 == 0 {
					platform = mdm.PlatformAndroid
				}
				es = append(es, e)
				ds = append(ds, mdm.Device{ID: mdm.NewID(), TenantID: tenantID, EmployeeID: e.ID, Platform: platform,
					State: states[i%len(states)], Compliance: compliance[i%len(compliance)], ReportedCompliance: compliance[i%len(compliance)],
					OSVersion: "15", CreatedAt: at, UpdatedAt: at})
				if ds[len(ds)-1].State == mdm.DeviceRemoved {
					ds[len(ds)-1].Compliance = mdm.ComplianceNone
				}
			}
			if err := tx.Create(&es).Error; err != nil {
				return fmt.Errorf("seed employees: %w", err)
			}
			if err := tx.Create(&ds).Error; err != nil {
				return fmt.Errorf("seed devices: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
