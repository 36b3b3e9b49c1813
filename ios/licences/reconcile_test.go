package licences_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/trennwand/trennwand/ios/licences"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
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

// A reconciliation of the whole tenant goes through its employees a batch at a time, in
// the order of their IDs, and gives back the licences of employees without an active
// iPhone wherever their IDs fall: before the first batch, between two batches (one whose
// iPhone was removed, one who never had one here) and beyond the last. Whatever the size
// of the batches, it decides the same.
func TestAReconciliationInBatchesOfEmployeesGivesBackTheLicencesBetweenThem(t *testing.T) {
	for _, batch := range []int{1, 2, 5, 500} {
		t.Run(fmt.Sprintf("%d employees a batch", batch), func(t *testing.T) {
			licences.SetReconcileEmployees(t, batch)
			eachBackend(t, func(t *testing.T, o *office) {
				ctx := context.Background()
				wp := o.mailPolicy(t)
				now := time.Now().UTC().Truncate(time.Microsecond)
				// e1 to e5 have an active iPhone; e2y's was removed.
				for _, e := range []string{"e1", "e2", "e2y", "e3", "e4", "e5"} {
					state := mdm.DeviceActive
					if e == "e2y" {
						state = mdm.DeviceRemoved
					}
					o.employeeWithIPhone(t, e, &wp.ID, state, now)
				}
				held := map[string]string{"e0": "associated", "e1": "associated", "e2x": "associated", "e2y": "associated",
					"e3": "failed", "e9": "pending"}
				var rows []map[string]any
				for e, state := range held {
					rows = append(rows, map[string]any{"tenant_id": o.tenant.ID, "employee_id": e, "adam_id": "1001", "state": state,
						"error": "", "event_id": "", "updated_at": now})
				}
				if err := o.st.Tables().DB().Table("ios_vpp_licences").Create(rows).Error; err != nil {
					t.Fatal(err)
				}
				if err := o.lic.ReconcileLicences(ctx, licences.ReconcileJob{TenantID: o.tenant.ID}); err != nil {
					t.Fatal(err)
				}
				var got []struct{ EmployeeID, State string }
				err := o.st.Tables().DB().Raw("SELECT employee_id, state FROM ios_vpp_licences WHERE tenant_id = ? ORDER BY employee_id", o.tenant.ID).Scan(&got).Error
				if err != nil {
					t.Fatal(err)
				}
				want := []struct{ EmployeeID, State string }{{"e0", "releasing"}, {"e1", "associated"}, {"e2", "pending"},
					{"e2x", "releasing"}, {"e2y", "releasing"}, {"e3", "failed"}, {"e4", "pending"}, {"e5", "pending"}}
				if !slices.Equal(got, want) {
					t.Errorf("licences %v\nwant %v", got, want)
				}
				counts := map[audit.Action]int{}
				for _, a := range o.auditActions(t) {
					counts[a]++
				}
				// Reserved for e2, e4 and e5; given back by e0, e2x, e2y and e9 (whose
				// pending licence is forgotten).
				if counts[audit.AppleLicenceReserve] != 3 || counts[audit.AppleLicenceRelease] != 4 {
					t.Errorf("audited %d reservations and %d releases, want 3 and 4", counts[audit.AppleLicenceReserve], counts[audit.AppleLicenceRelease])
				}
			})
		})
	}
}

// mailPolicy uploads a token whose catalogue has the mail app (Adam ID 1001) and creates
// a work policy that requires it.
func (o *office) mailPolicy(t testing.TB) mdm.WorkPolicy {
	t.Helper()
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
	return wp
}

// employeeWithIPhone stores the employee with the ID and an iPhone of theirs in the state.
func (o *office) employeeWithIPhone(t testing.TB, id string, policyID *string, state mdm.DeviceState, now time.Time) {
	t.Helper()
	ctx := context.Background()
	e := mdm.Employee{ID: id, Email: id + "@musterstadt.example", CreatedAt: now}
	if err := store.EnrolmentOf(o.st).CreateEmployee(ctx, o.tenant.ID, &e); err != nil {
		t.Fatal(err)
	}
	d := mdm.Device{ID: mdm.NewID(), EmployeeID: id, WorkPolicyID: policyID, Platform: mdm.PlatformIOS, PlatformID: mdm.NewID(),
		State: state, Compliance: mdm.ComplianceUnknown, CreatedAt: now, UpdatedAt: now}
	if err := o.st.Devices().CreateDevice(ctx, o.tenant.ID, &d); err != nil {
		t.Fatal(err)
	}
}
