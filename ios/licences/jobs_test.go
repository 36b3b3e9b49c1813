package licences_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/trennwand/trennwand/ios/licences"
)

// An association goes through the tenant's pending licences a page at a time and sends
// every one of them, however many pages they fill, so that a pass after a large
// reconciliation holds a page of them and not all. While it runs, a second association of
// the same tenant (asked for in another second, or due at once when the queue is behind)
// sends nothing and runs again later; another tenant's is not held up.
func TestAnAssociationSendsThePendingLicencesAPageAtATimeAndOneAtATime(t *testing.T) {
	licences.SetPassPage(t, 7)
	eachBackend(t, func(t *testing.T, o *office) {
		ctx := context.Background()
		o.mailPolicy(t)
		db := o.st.Tables().DB()
		now := time.Now().UTC().Truncate(time.Second)
		var users, pending []map[string]any
		for i := range 30 {
			e := fmt.Sprintf("e%02d", i)
			users = append(users, map[string]any{"tenant_id": o.tenant.ID, "employee_id": e, "managed_apple_id": e + "@musterstadt.example", "state": "created", "event_id": "", "updated_at": now})
			pending = append(pending, map[string]any{"tenant_id": o.tenant.ID, "employee_id": e, "adam_id": "1001", "state": "pending", "error": "", "event_id": "", "updated_at": now})
		}
		if err := db.Table("ios_vpp_users").CreateInBatches(users, 200).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Table("ios_vpp_licences").CreateInBatches(pending, 200).Error; err != nil {
			t.Fatal(err)
		}
		states := func() map[string]int {
			t.Helper()
			var rows []struct {
				State string
				N     int
			}
			if err := db.Raw("SELECT state, COUNT(*) AS n FROM ios_vpp_licences WHERE tenant_id = ? AND (state <> 'associating' OR event_id <> '') GROUP BY state", o.tenant.ID).Scan(&rows).Error; err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, r := range rows {
				got[r.State] = r.N
			}
			return got
		}

		err := o.lic.Alone(o.tenant.ID, func() error {
			if err := o.lic.AssociateLicences(ctx, licences.AssociateJob{TenantID: o.tenant.ID}); err == nil {
				t.Error("a second association of the tenant ran beside the first")
			}
			if got := states(); got["pending"] != 30 {
				t.Errorf("licences by state while an association runs: %v, want all 30 still pending", got)
			}
			// Another tenant's association is not held up (it has no token: nothing to do).
			return o.lic.AssociateLicences(ctx, licences.AssociateJob{TenantID: "another-tenant"})
		})
		if err != nil {
			t.Fatalf("another tenant's association: %v", err)
		}

		if err := o.lic.AssociateLicences(ctx, licences.AssociateJob{TenantID: o.tenant.ID}); err != nil {
			t.Fatal(err)
		}
		if got := states(); got["associating"] != 30 || len(got) != 1 {
			t.Errorf("licences by state after the association: %v, want all 30 associating, each with its event", got)
		}
	})
}
