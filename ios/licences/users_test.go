package licences_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/ios/licences"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store/storetest"
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

// The statements the Apps and Books jobs run once per enrolment find their rows through an
// index, not by reading every Apple user or every licence of the tenant: the users of an
// event (recorded as registered when Apple has finished it) and the licences in a state (a
// pass over the pending ones). Read in full, they made each enrolment's cost grow with the
// fleet: 40 ms of server CPU per iPhone at 10,000 phones, 52 ms at 44,000.
func TestTheLicenceJobsFindTheirRowsWithoutReadingTheWholeTenant(t *testing.T) {
	o := newOffice(t, storetest.SQLite)
	db := o.st.Tables().DB()
	tn := o.tenant.ID
	for _, c := range []struct {
		statement string
		args      []any
		want      string
	}{
		{"UPDATE ios_vpp_users SET state = 'created', updated_at = CURRENT_TIMESTAMP WHERE tenant_id = ? AND event_id = ? AND state = ?",
			[]any{tn, "event-1", "creating"}, "USING INDEX ios_vpp_users_event (tenant_id=? AND event_id=?)"},
		{"SELECT * FROM ios_vpp_licences WHERE tenant_id = ? AND state IN (?) ORDER BY adam_id, employee_id",
			[]any{tn, "pending"}, "USING INDEX ios_vpp_licences_state (tenant_id=? AND state=?)"},
		{"SELECT * FROM ios_vpp_licences WHERE tenant_id = ? AND event_id = ? AND state = ? ORDER BY adam_id, employee_id",
			[]any{tn, "event-1", "associating"}, "USING INDEX ios_vpp_licences_event (tenant_id=? AND event_id=?)"},
	} {
		var plan []struct {
			Detail string
		}
		if err := db.Raw("EXPLAIN QUERY PLAN "+c.statement, c.args...).Scan(&plan).Error; err != nil {
			t.Fatal(err)
		}
		found := false
		for _, p := range plan {
			found = found || strings.Contains(p.Detail, c.want)
		}
		if !found {
			t.Errorf("%s\nplan %v, want a search %s", c.statement, plan, c.want)
		}
	}
}

// A reconciliation of the whole tenant finds each batch of employees, their iPhones and
// their licences through an index, searching from where the batch before ended: the
// iPhones by devices_employee_newest, the licences by their primary key. A scan of the
// tenant's devices or licences per batch would make the hourly job's time grow with the
// square of the fleet.
func TestAReconciliationOfTheTenantSearchesDevicesAndLicencesByEmployee(t *testing.T) {
	licences.SetReconcileEmployees(t, 2)
	o := newOffice(t, storetest.SQLite)
	ctx := context.Background()
	db := o.st.Tables().DB()
	wp := o.mailPolicy(t)
	now := time.Now().UTC()
	for _, e := range []string{"e1", "e2", "e3", "e4", "e5"} {
		o.employeeWithIPhone(t, e, &wp.ID, mdm.DeviceActive, now)
	}
	type statement struct {
		sql  string
		vars []any
	}
	var read []statement
	if err := db.Callback().Query().After("gorm:query").Register("remember_reads", func(tx *gorm.DB) {
		if tx.Statement.Table == "devices" || tx.Statement.Table == "ios_vpp_licences" {
			read = append(read, statement{tx.Statement.SQL.String(), tx.Statement.Vars})
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := o.lic.ReconcileLicences(ctx, licences.ReconcileJob{TenantID: o.tenant.ID}); err != nil {
		t.Fatal(err)
	}
	if len(read) < 6 {
		t.Fatalf("the reconciliation read %d times, want at least three batches of iPhones and licences", len(read))
	}
	for _, s := range read {
		var plan []struct {
			Detail string
		}
		if err := db.Raw("EXPLAIN QUERY PLAN "+s.sql, s.vars...).Scan(&plan).Error; err != nil {
			t.Fatal(err)
		}
		for _, p := range plan {
			if strings.HasPrefix(p.Detail, "SCAN") || strings.Contains(p.Detail, "TEMP B-TREE") || strings.Contains(p.Detail, "devices_tenant_state") {
				t.Errorf("%s\nplan %v, want searches by employee", s.sql, plan)
			}
		}
	}
}
