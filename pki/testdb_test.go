package pki

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"text/template"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx" for creating test databases
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// The CA is tested on its own database, without the rest of trennwand: the package imports
// nothing of the project, its tests neither. The installation's store applies the same
// migration files through goose; here they are rendered the same way and run in order.

// envTestPostgres names the variable with the URL of a PostgreSQL server on which the
// tests may create and drop databases (scripts/test starts one).
const envTestPostgres = "TRENNWAND_TEST_POSTGRES"

// The backends the suite runs on.
const (
	backendSQLite   = "sqlite"
	backendPostgres = "postgres"
)

var backends = []string{backendSQLite, backendPostgres}

// testTypes are the type names the migration templates ask for, per backend.
type testTypes struct {
	Postgres    bool
	Time, Bytes string
}

// newTestDB returns a fresh database of the backend with the CA's tables, removed when
// the test ends. Without TRENNWAND_TEST_POSTGRES the PostgreSQL case is skipped.
func newTestDB(t testing.TB, backend string) *gorm.DB {
	t.Helper()
	var dialector gorm.Dialector
	types := testTypes{Time: "TIMESTAMP", Bytes: "BLOB"}
	switch backend {
	case backendSQLite:
		dialector = sqlite.Open("file:" + filepath.Join(t.TempDir(), "pki.db") +
			"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_txlock=immediate")
	case backendPostgres:
		dialector = postgres.Open(newTestPostgres(t))
		types = testTypes{Postgres: true, Time: "TIMESTAMPTZ", Bytes: "BYTEA"}
	default:
		t.Fatalf("unknown backend %q", backend)
	}
	db, err := gorm.Open(dialector, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatalf("open %s: %v", backend, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sqlDB.Close() })
	names, err := fs.Glob(Migrations(), "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("the CA's migrations: %v (%d files)", err, len(names))
	}
	for _, name := range names { // fs.Glob sorts, and the names begin with their version
		text, err := fs.ReadFile(Migrations(), name)
		if err != nil {
			t.Fatal(err)
		}
		var rendered bytes.Buffer
		tmpl, err := template.New(name).Option("missingkey=error").Parse(string(text))
		if err == nil {
			err = tmpl.Execute(&rendered, types)
		}
		if err == nil {
			err = db.Exec(rendered.String()).Error
		}
		if err != nil {
			t.Fatalf("migration %s on %s: %v", name, backend, err)
		}
	}
	return db
}

// newTestPostgres creates an empty PostgreSQL database, dropped when the test ends, and
// returns its URL.
func newTestPostgres(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(envTestPostgres)
	if admin == "" {
		t.Skipf("PostgreSQL not configured: set %s (scripts/test does)", envTestPostgres)
	}
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("%s: %v", envTestPostgres, err)
	}
	suffix := make([]byte, 8)
	_, _ = rand.Read(suffix)
	name := "test_pki_" + hex.EncodeToString(suffix)
	ctx := context.Background()
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			t.Errorf("drop test database %s: %v", name, err)
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
