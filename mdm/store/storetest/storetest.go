// Package storetest gives tests a fresh, migrated database on every backend the suite runs
// on: SQLite always, and PostgreSQL when TRENNWAND_TEST_POSTGRES names a server on which
// the tests may create and drop databases (the README's test command starts one).
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx" for creating test databases

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
)

// EnvPostgres names the variable with the URL of a PostgreSQL server for tests.
const EnvPostgres = "TRENNWAND_TEST_POSTGRES"

// The backends.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Each runs fn as a subtest on a fresh, migrated store of every backend. Without
// TRENNWAND_TEST_POSTGRES the PostgreSQL subtest is skipped with a note saying so.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, backend := range []string{SQLite, Postgres} {
		t.Run(backend, func(t *testing.T) {
			fn(t, Open(t, backend))
		})
	}
}

// Open returns a migrated store on a fresh database of the backend, closed and removed
// when the test ends. Options add migration series of other components.
func Open(t testing.TB, backend string, opts ...store.Option) *store.Store {
	t.Helper()
	return openSetting(t, backend, NewDSN(t, backend), opts...)
}

// openSetting returns a migrated store on the empty database of the setting, of the
// backend, closed when the test ends.
func openSetting(t testing.TB, backend, setting string, opts ...store.Option) *store.Store {
	t.Helper()
	dsn, err := store.ParseDSN(setting)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := store.Open(ctx, dsn, opts...)
	if err != nil {
		t.Fatalf("open %s: %v", backend, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(ctx, nil); err != nil {
		t.Fatalf("migrate %s: %v", backend, err)
	}
	return s
}

// NewDSN returns the database setting (TRENNWAND_DB) of a fresh, empty database of the
// backend, removed when the test ends.
func NewDSN(t testing.TB, backend string) string {
	t.Helper()
	switch backend {
	case SQLite:
		return "sqlite://" + filepath.Join(t.TempDir(), "trennwand.db")
	case Postgres:
		return newPostgresDatabase(t)
	}
	t.Fatalf("unknown backend %q", backend)
	return ""
}

func newPostgresDatabase(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(EnvPostgres)
	if admin == "" {
		t.Skipf("PostgreSQL not configured: set %s (the README's test command does)", EnvPostgres)
	}
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	name := "test_" + strings.ToLower(mdm.NewID())
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// Tenant creates a tenant through the domain service, for tests that need one.
func Tenant(t testing.TB, svc *domain.Services, name string) mdm.Tenant {
	t.Helper()
	tn, err := svc.CreateTenant(context.Background(), "test", name, "")
	if err != nil {
		t.Fatalf("create tenant %s: %v", name, err)
	}
	return tn
}

// PlainSealer seals nothing: tests of the domain that do not concern secrets use it.
// It still binds the purpose, so that mixing up secrets fails in tests too.
type PlainSealer struct{}

// Seal returns the purpose and the plaintext.
func (PlainSealer) Seal(purpose string, plaintext []byte) ([]byte, error) {
	return append([]byte(purpose+"|"), plaintext...), nil
}

// Open checks the purpose and returns the plaintext.
func (PlainSealer) Open(purpose string, sealed []byte) ([]byte, error) {
	rest, ok := strings.CutPrefix(string(sealed), purpose+"|")
	if !ok {
		return nil, fmt.Errorf("sealed for another purpose")
	}
	return []byte(rest), nil
}
