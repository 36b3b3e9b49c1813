package store_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

func TestMigrations(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			dsn, err := store.ParseDSN(storetest.NewDSN(t, backend))
			if err != nil {
				t.Fatal(err)
			}
			s, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()

			schema, err := s.Schema(ctx)
			if err != nil || !schema.Empty() || schema[0].Latest < 1 || schema.UpToDate() {
				t.Fatalf("empty database: %+v, %v", schema, err)
			}
			if backend == storetest.SQLite && storetest.Count(t, s, "sqlite_master", "1 = 1") > 0 {
				t.Fatal("asking for the schema version wrote to the empty database")
			}
			for range 2 { // applying twice is harmless
				if err := s.Migrate(ctx, nil); err != nil {
					t.Fatal(err)
				}
			}
			if schema, err = s.Schema(ctx); err != nil || !schema.UpToDate() {
				t.Fatalf("after migrating: %+v, %v", schema, err)
			}

			// A database written by a newer trennwand is not touched by an older one.
			if err := storetest.RawExec(s, "INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?)", schema[0].Latest+1, true); err != nil {
				t.Fatal(err)
			}
			err = s.Migrate(ctx, nil)
			if err == nil || !strings.Contains(err.Error(), "newer than this program") {
				t.Fatalf("migrating a newer database: %v", err)
			}
		})
	}
}

func TestParseDSN(t *testing.T) {
	good := map[string]bool{ // value: selects PostgreSQL
		"sqlite:///var/lib/trennwand/trennwand.db":      false,
		"sqlite://relative/file.db":                     false,
		"postgres://trennwand:secret@db:5432/trennwand": true,
		"postgresql://db/trennwand?sslmode=verify-full": true,
	}
	for in, pg := range good {
		d, err := store.ParseDSN(in)
		if err != nil || d.Postgres != pg {
			t.Errorf("ParseDSN(%q) = %+v, %v", in, d, err)
		}
		if strings.Contains(d.String(), "secret") {
			t.Errorf("%q: the password shows in %q", in, d.String())
		}
	}
	for _, in := range []string{"", "mysql://db/x", "sqlite://", "sqlite:///x.db?mode=ro", "postgres://", "/var/lib/x.db"} {
		if _, err := store.ParseDSN(in); err == nil {
			t.Errorf("ParseDSN(%q) accepted", in)
		}
	}
	if _, err := store.ParseDSN("mysql://root:hunter2@db/x"); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("the error shows the password: %v", err)
	}
}

// An unreachable PostgreSQL fails at start with a message naming it, without the password.
func TestOpenUnreachableDatabase(t *testing.T) {
	dsn, _ := store.ParseDSN("postgres://trennwand:hunter2@127.0.0.1:1/trennwand?connect_timeout=2")
	_, err := store.Open(context.Background(), dsn)
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("got %v", err)
	}
}

// A component's own series is applied beside the domain's and tracked on its own.
func TestExtraMigrationSeries(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) { extraSeries(t, backend) })
	}
}

func extraSeries(t *testing.T, backend string) {
	ctx := context.Background()
	parsed, _ := store.ParseDSN(storetest.NewDSN(t, backend))
	extra := store.MigrationSource{Name: "widgets", FS: fstest.MapFS{
		"00001_widgets.sql": {Data: []byte("CREATE TABLE widgets (id TEXT PRIMARY KEY, made {{.Time}} NOT NULL, blob {{.Bytes}});")},
	}}
	ws, err := store.Open(ctx, parsed, store.WithMigrations(extra))
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	schema, err := ws.Schema(ctx)
	if err != nil || len(schema) != 3 || schema.UpToDate() {
		t.Fatalf("before migrating: %v, %v", schema, err)
	}
	if err := ws.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if schema, err = ws.Schema(ctx); err != nil || !schema.UpToDate() || schema[1].Name != "widgets" || schema[1].Current != 1 {
		t.Fatalf("after migrating: %v, %v", schema, err)
	}
	if err := storetest.RawExec(ws, "INSERT INTO widgets (id, made) VALUES ('a', CURRENT_TIMESTAMP)"); err != nil {
		t.Fatal(err)
	}
	// A store opened without the series does not count it as its own.
	plain, err := store.Open(ctx, parsed)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if schema, err := plain.Schema(ctx); err != nil || len(schema) != 2 || !schema.UpToDate() {
		t.Fatalf("store without the series: %v, %v", schema, err)
	}
}
