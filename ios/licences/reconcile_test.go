package licences_test

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/trennwand/trennwand/ios/licences"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
)

// A reconciliation of the whole tenant reads its iPhones and licences a page at a time;
// across the pages it reserves what is wanted and not held, keeps what is held, and gives
// back what nobody needs: 1,100 employees with an iPhone under a policy that requires the
// mail app, of whom the first 600 hold its licence, and one former employee who still
// holds one.
func TestAReconciliationOfAManyPageTenantReservesKeepsAndGivesBack(t *testing.T) {
	eachBackend(t, func(t *testing.T, o *office) {
		ctx := context.Background()
		token := o.fake.AddOrganisation("Stadt Musterstadt", time.Now().Add(365*24*time.Hour))
		o.fake.AddApp(token, "1001", "de.musterstadt.mail", "Musterstadt Mail", 2000)
		if _, err := o.lic.SetLicenceToken(ctx, "admin:test", o.tenant.ID, token); err != nil {
			t.Fatal(err)
		}
		if err := o.lic.SyncCatalogue(ctx, licences.SyncJob{TenantID: o.tenant.ID}); err != nil {
			t.Fatal(err)
		}
		wp, err := o.svc.WorkPolicy.CreateWorkPolicy(ctx, "admin:test", o.tenant, mdm.WorkPolicy{Name: "Verwaltung",
			Apps: []mdm.AppAssignment{{Platform: mdm.PlatformIOS, AppID: "de.musterstadt.mail", InstallType: mdm.InstallRequired}}})
		if err != nil {
			t.Fatal(err)
		}
		type licence struct {
			TenantID, EmployeeID, AdamID, State, Error, EventID string
			UpdatedAt                                           time.Time
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		held := []licence{{o.tenant.ID, "former-employee", "1001", "associated", "", "", now}}
		for i := range 1100 {
			e := mdm.Employee{ID: mdm.NewID(), Email: fmt.Sprintf("e%d@musterstadt.example", i), CreatedAt: now}
			if err := store.EnrolmentOf(o.st).CreateEmployee(ctx, o.tenant.ID, &e); err != nil {
				t.Fatal(err)
			}
			d := mdm.Device{ID: mdm.NewID(), EmployeeID: e.ID, WorkPolicyID: &wp.ID, Platform: mdm.PlatformIOS, PlatformID: mdm.NewID(),
				State: mdm.DeviceActive, Compliance: mdm.ComplianceUnknown, CreatedAt: now, UpdatedAt: now}
			if err := o.st.Devices().CreateDevice(ctx, o.tenant.ID, &d); err != nil {
				t.Fatal(err)
			}
			if i < 600 {
				held = append(held, licence{o.tenant.ID, e.ID, "1001", "associated", "", "", now})
			}
		}
		if err := o.st.Tables().DB().Table("ios_vpp_licences").CreateInBatches(held, 200).Error; err != nil {
			t.Fatal(err)
		}
		if err := o.lic.ReconcileLicences(ctx, licences.ReconcileJob{TenantID: o.tenant.ID}); err != nil {
			t.Fatal(err)
		}
		var counts []struct {
			State string
			N     int
		}
		err = o.st.Tables().DB().Raw("SELECT state, COUNT(*) AS n FROM ios_vpp_licences GROUP BY state ORDER BY state").Scan(&counts).Error
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, c := range counts {
			got[c.State] = c.N
		}
		if want := map[string]int{"associated": 600, "pending": 500, "releasing": 1}; !maps.Equal(got, want) {
			t.Fatalf("licences by state %v, want %v", got, want)
		}
	})
}
