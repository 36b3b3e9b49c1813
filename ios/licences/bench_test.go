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
