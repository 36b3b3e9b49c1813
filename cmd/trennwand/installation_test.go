package main

import (
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	inst "github.com/trennwand/trennwand/installation"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// site is a data directory and a database for the tests of the command line. On SQLite the
// database is where an operator finds it without any setting: trennwand.db in the data
// directory; on PostgreSQL it is a fresh database of the test server.
type site struct {
	data  string   // the data directory
	dsn   string   // the database setting, as in TRENNWAND_DB
	flags []string // what points a command line at this site
}

// emptySite returns a site on which nothing exists yet: no data directory, no database
// file, an empty PostgreSQL database.
func emptySite(t *testing.T, backend string) site {
	t.Helper()
	s := site{data: filepath.Join(t.TempDir(), "data")}
	s.flags = []string{"--data", s.data}
	if backend == storetest.SQLite {
		s.dsn = "sqlite://" + filepath.Join(s.data, "trennwand.db")
	} else {
		s.dsn = storetest.NewDSN(t, backend)
		s.flags = append(s.flags, "--db", s.dsn)
	}
	return s
}

// newSite returns a site with an installation, created the way `trennwand serve` creates
// it on its first start: master key, schema, the tenant "default" and its first admin.
func newSite(t *testing.T, backend string) site {
	t.Helper()
	s := emptySite(t, backend)
	if err := os.MkdirAll(s.data, 0o700); err != nil {
		t.Fatal(err)
	}
	in, creds, err := inst.OpenForServe(t.Context(), s.config(t), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("create installation: %v", err)
	}
	if creds == nil {
		t.Fatal("a new installation returned no sign-in details")
	}
	if err := in.Close(); err != nil {
		t.Fatal(err)
	}
	return s
}

// config is the configuration that `trennwand serve` has for the site by default.
func (s site) config(t *testing.T) config {
	t.Helper()
	dsn, err := store.ParseDSN(s.dsn)
	if err != nil {
		t.Fatal(err)
	}
	public, _ := url.Parse("https://mdm.musterstadt.example:8443")
	return config{DataDir: s.data, DB: dsn, AdminEmail: "admin@localhost", PublicURL: public}
}

// run runs a command line against the site.
func (s site) run(t *testing.T, args ...string) result {
	t.Helper()
	return trennwand(t, slices.Concat(args, s.flags)...)
}

// store opens the site's database through the store, as the server does.
func (s site) store(t *testing.T) *store.Store {
	t.Helper()
	dsn, err := store.ParseDSN(s.dsn)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// sql opens the site's database without the store, for what the program itself must never
// do: look behind its back, or tamper with it.
func (s site) sql(t *testing.T) *gorm.DB {
	t.Helper()
	dsn, err := store.ParseDSN(s.dsn)
	if err != nil {
		t.Fatal(err)
	}
	dialector := sqlite.Open(dsn.SQLitePath)
	if dsn.Postgres {
		dialector = postgres.Open(dsn.URL)
	}
	db, err := gorm.Open(dialector, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			_ = sqlDB.Close()
		}
	})
	return db
}

// auditEvents returns how many audit events each tenant has, as `audit verify` counts them.
func (s site) auditEvents(t *testing.T) map[string]int64 {
	t.Helper()
	r := s.run(t, "audit", "verify", "--json")
	r.wantCode(t, 0)
	var report auditReport
	r.decode(t, &report)
	counts := map[string]int64{}
	for _, tr := range report.Tenants {
		counts[tr.Tenant] = tr.Events
	}
	return counts
}

func TestCommandsOnAnEmptyDataDirectoryAskForServeAndCreateNothing(t *testing.T) {
	commands := [][]string{
		{"tenant", "create", "musterstadt"},
		{"tenant", "list"},
		{"admin", "create", "--tenant", "default", "--email", "it@musterstadt.de"},
		{"invite", "create", "--tenant", "default", "--email", "anna@musterstadt.de", "--qr", "-"},
		{"device", "list", "--tenant", "default"},
		{"audit", "verify"},
	}
	forEachBackend(t, func(t *testing.T, backend string) {
		s := emptySite(t, backend)
		for _, args := range commands {
			r := s.run(t, args...)
			r.wantCode(t, exitFailed)
			r.wantStderr(t, "trennwand serve")
		}
		if _, err := os.Stat(s.data); !os.IsNotExist(err) {
			t.Errorf("the data directory %s was created (stat: %v)", s.data, err)
		}
		if backend == storetest.Postgres {
			var tables int64
			err := s.sql(t).Raw("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").Scan(&tables).Error
			if err != nil {
				t.Fatal(err)
			}
			if tables != 0 {
				t.Errorf("the empty database has %d tables afterwards, want none", tables)
			}
		}
	})
}

func TestCommandsOnAnEmptyExistingDataDirectoryCreateNoDatabaseFile(t *testing.T) {
	s := emptySite(t, storetest.SQLite)
	if err := os.Mkdir(s.data, 0o700); err != nil {
		t.Fatal(err)
	}
	r := s.run(t, "tenant", "list")
	r.wantCode(t, exitFailed)
	r.wantStderr(t, "no database at "+filepath.Join(s.data, "trennwand.db"), "trennwand serve")
	entries, err := os.ReadDir(s.data)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("the data directory holds %d entries afterwards, want none (first: %s)", len(entries), entries[0].Name())
	}
}
