package store_test

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// An operator whose role owns trennwand's database but is no superuser can apply every
// migration on PostgreSQL, pg_trgm's included (a trusted extension), and the search
// uses it.
func TestMigrationsNeedNoSuperuserOnPostgres(t *testing.T) {
	if os.Getenv(storetest.EnvPostgres) == "" {
		t.Skipf("PostgreSQL not configured: set %s", storetest.EnvPostgres)
	}
	ctx := context.Background()
	dsn := storetest.NewDSN(t, storetest.Postgres)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	role := "owner_" + strings.ToLower(mdm.NewID()[:10])
	database := strings.TrimPrefix(u.Path, "/")
	for _, stmt := range []string{
		"CREATE ROLE " + pgx.Identifier{role}.Sanitize() + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE",
		"ALTER DATABASE " + pgx.Identifier{database}.Sanitize() + " OWNER TO " + pgx.Identifier{role}.Sanitize(),
	} {
		if _, err := admin.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		_, _ = admin.ExecContext(ctx, "REASSIGN OWNED BY "+pgx.Identifier{role}.Sanitize()+" TO CURRENT_USER")
		_, _ = admin.ExecContext(ctx, "DROP OWNED BY "+pgx.Identifier{role}.Sanitize())
		_, _ = admin.ExecContext(ctx, "DROP ROLE "+pgx.Identifier{role}.Sanitize())
	})

	u.User = url.User(role)
	parsed, err := store.ParseDSN(u.String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(ctx, parsed)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var super bool
	if err := s.Tables().DB().Raw("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").Row().Scan(&super); err != nil || super {
		t.Fatalf("the operator's role is a superuser (%v, %v)", super, err)
	}
	if err := s.Migrate(ctx, nil); err != nil {
		t.Fatalf("migrate as the database's owner: %v", err)
	}
	svc := newService(s)
	tn := storetest.Tenant(t, svc, "musterstadt")
	e := mdm.Employee{ID: mdm.NewID(), Email: "j.mueller@musterstadt.example", Name: "Jürgen Müller", CreatedAt: testTime}
	if err := store.EnrolmentOf(s).CreateEmployee(ctx, tn.ID, &e); err != nil {
		t.Fatal(err)
	}
	if es, err := svc.EmployeePage(ctx, tn, mdm.EmployeeQuery{Search: "ÜLLER"}); err != nil || len(es) != 1 {
		t.Errorf("search after migrating as the owner: %d, %v", len(es), err)
	}
}
