package licences_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/trennwand/trennwand/ios/licences"
)

// BenchmarkCatalogueSync reads a catalogue of 1,000 apps from the fake: every page of
// assets, the apps' names, and the replacement of the stored catalogue.
func BenchmarkCatalogueSync(b *testing.B) {
	o := newOffice(b, "sqlite")
	ctx := context.Background()
	token := o.fake.AddOrganisation("Stadt Musterstadt", time.Now().Add(365*24*time.Hour))
	for i := range 1000 {
		o.fake.AddApp(token, fmt.Sprint(2000+i), fmt.Sprintf("de.musterstadt.app%d", i), fmt.Sprintf("App %d", i), 100)
	}
	if _, err := o.lic.SetLicenceToken(ctx, "admin:test", o.tenant.ID, token); err != nil {
		b.Fatal(err)
	}
	before := totalRequests(o.fake.Requests())
	b.ResetTimer()
	for range b.N {
		if err := o.lic.SyncCatalogue(ctx, licences.SyncJob{TenantID: o.tenant.ID}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(totalRequests(o.fake.Requests())-before)/float64(b.N), "requests/op")
	apps, err := o.lic.LicensedApps(ctx, o.tenant.ID)
	if err != nil || len(apps) != 1000 {
		b.Fatalf("catalogue of %d apps, %v; want 1000", len(apps), err)
	}
}

// totalRequests adds up the requests the fake has had.
func totalRequests(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// BenchmarkUsersRegisteredInALargeTenant records one registration event of Apple users,
// as the licence job does once for each enrolled iPhone, in tenants whose other
// employees Apple knows already: the cost stays that of the event's own users, however
// many employees the tenant has.
func BenchmarkUsersRegisteredInALargeTenant(b *testing.B) {
	for _, known := range []int{1000, 50000} {
		b.Run(fmt.Sprintf("known=%d", known), func(b *testing.B) {
			o := newOffice(b, "sqlite")
			ctx := context.Background()
			db := o.st.Tables().DB()
			now := time.Now().UTC().Truncate(time.Second)
			users := make([]map[string]any, 0, known)
			for i := range known {
				users = append(users, map[string]any{"tenant_id": o.tenant.ID, "employee_id": fmt.Sprintf("known%06d", i),
					"managed_apple_id": fmt.Sprintf("k%d@musterstadt.example", i), "state": "created", "event_id": fmt.Sprintf("old%06d", i/100), "updated_at": now})
			}
			if err := db.Table("ios_vpp_users").CreateInBatches(users, 500).Error; err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				event := fmt.Sprintf("new%06d", i)
				row := map[string]any{"tenant_id": o.tenant.ID, "employee_id": fmt.Sprintf("new%06d", i),
					"managed_apple_id": fmt.Sprintf("n%d@musterstadt.example", i), "state": "creating", "event_id": event, "updated_at": now}
				if err := db.Table("ios_vpp_users").Create(row).Error; err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if err := o.lic.UsersRegistered(ctx, o.tenant.ID, event); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
