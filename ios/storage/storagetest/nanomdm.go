package storagetest

import (
	"context"
	"database/sql"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx" for nanomdm's own PostgreSQL storage
	nanostorage "github.com/micromdm/nanomdm/storage"
	"github.com/micromdm/nanomdm/storage/pgsql"

	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// NanoPgSQL returns nanomdm's own PostgreSQL storage on a fresh database with its schema
// (storage/pgsql/schema.sql), as the reference that benchmarks compare with. It uses the
// same driver and as many connections as the installation's store allows itself.
func NanoPgSQL(t testing.TB) nanostorage.AllStorage {
	t.Helper()
	db, err := sql.Open("pgx", storetest.NewDSN(t, storetest.Postgres))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	db.SetMaxOpenConns(20)
	if _, err := db.ExecContext(context.Background(), pgsql.Schema); err != nil {
		t.Fatalf("nanomdm's pgsql schema: %v", err)
	}
	s, err := pgsql.New(pgsql.WithDB(db))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
