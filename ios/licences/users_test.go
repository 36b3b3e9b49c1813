package licences_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"
)

// A pass over a few pending licences reads the Apple users of their employees only: in a
// tenant whose 2,000 other employees Apple knows already, the pass costs what it costs in
// a tenant of three. (Reading every Apple user of the tenant, up to four times a pass, was
// most of what an iPhone's enrolment allocated in a fleet of 30,000.)
func TestAPassReadsOnlyTheAppleUsersOfItsLicences(t *testing.T) {
	eachBackend(t, func(t *testing.T, o *office) {
		ctx := context.Background()
		lic, st, tn := o.lic, o.st, o.tenant
		now := time.Now().UTC().Truncate(time.Second)
		db := st.Tables().DB()
		var users []map[string]any
		for _, e := range []string{"anna", "ben"} {
			users = append(users, map[string]any{"tenant_id": tn.ID, "employee_id": e, "managed_apple_id": e + "@musterstadt.example", "state": "created", "event_id": "", "updated_at": now})
		}
		for i := range 2000 {
			users = append(users, map[string]any{"tenant_id": tn.ID, "employee_id": fmt.Sprintf("other%05d", i), "managed_apple_id": fmt.Sprintf("p%d@musterstadt.example", i), "state": "created", "event_id": "", "updated_at": now})
		}
		if err := db.Table("ios_vpp_users").CreateInBatches(users, 200).Error; err != nil {
			t.Fatal(err)
		}
		read := 0
		if err := db.Callback().Query().After("gorm:query").Register("count_apple_users", func(tx *gorm.DB) {
			if tx.Statement.Table == "ios_vpp_users" {
				read += int(tx.RowsAffected)
			}
		}); err != nil {
			t.Fatal(err)
		}
		ready, err := lic.RegisterUsersOf(ctx, tn.ID, "1", "anna", "ben")
		if err != nil {
			t.Fatal(err)
		}
		if len(ready) != 2 || !ready["anna"] || !ready["ben"] {
			t.Errorf("ready: %v, want anna and ben", ready)
		}
		if read > 3*2 {
			t.Errorf("the pass read %d Apple users for 2 pending licences, want only theirs", read)
		}
	})
}
