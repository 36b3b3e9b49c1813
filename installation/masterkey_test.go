package installation

import (
	"bytes"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/pki"
)

// forEachBackend runs fn on SQLite and on PostgreSQL.
func forEachBackend(t *testing.T, fn func(t *testing.T, backend string)) {
	t.Helper()
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			fn(t, backend)
		})
	}
}

// site is a data directory and a database.
type site struct{ data, dsn string }

// emptySite returns a site on which nothing exists yet but the data directory: no
// database file, an empty PostgreSQL database.
func emptySite(t *testing.T, backend string) site {
	t.Helper()
	s := site{data: filepath.Join(t.TempDir(), "data")}
	if err := os.MkdirAll(s.data, 0o700); err != nil {
		t.Fatal(err)
	}
	s.dsn = "sqlite://" + filepath.Join(s.data, "trennwand.db")
	if backend != storetest.SQLite {
		s.dsn = storetest.NewDSN(t, backend)
	}
	return s
}

// newSite returns a site with an installation, created the way `trennwand serve` creates
// it on its first start.
func newSite(t *testing.T, backend string) site {
	t.Helper()
	s := emptySite(t, backend)
	in, creds, err := OpenForServe(t.Context(), s.config(t), slog.New(slog.DiscardHandler))
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
func (s site) config(t *testing.T) Config {
	t.Helper()
	dsn, err := store.ParseDSN(s.dsn)
	if err != nil {
		t.Fatal(err)
	}
	public, _ := url.Parse("https://mdm.musterstadt.example:8443")
	return Config{DataDir: s.data, DB: dsn, AdminEmail: "admin@localhost", PublicURL: public}
}

func TestOnlyANewInstallationGetsANewMasterKey(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		keyFile := filepath.Join(s.data, "master.key")
		key, err := os.ReadFile(keyFile)
		if err != nil {
			t.Fatalf("the new installation has no master key file: %v", err)
		}
		log := slog.New(slog.DiscardHandler)

		// The key file is lost, say a backup of the database was restored without it.
		if err := os.Remove(keyFile); err != nil {
			t.Fatal(err)
		}
		_, _, err = OpenForServe(t.Context(), s.config(t), log)
		if err == nil {
			t.Fatal("serve started an existing installation without its master key")
		}
		if _, statErr := os.Stat(keyFile); !os.IsNotExist(statErr) {
			t.Errorf("serve made a new master key file for an existing installation (stat: %v)", statErr)
		}
		if _, err := Open(t.Context(), s.config(t), log); err == nil ||
			!strings.Contains(err.Error(), "no master key") || !strings.Contains(err.Error(), "TRENNWAND_MASTER_KEY") {
			t.Errorf("a command without the master key: %v, want that it names TRENNWAND_MASTER_KEY", err)
		}

		// Given the installation's key from a secret store, it starts again.
		cfg := s.config(t)
		if cfg.MasterKey, err = pki.ParseMasterKey(string(key)); err != nil {
			t.Fatal(err)
		}
		in, creds, err := OpenForServe(t.Context(), cfg, log)
		if err != nil {
			t.Fatalf("serve with the master key from the environment: %v", err)
		}
		defer in.Close()
		if creds != nil {
			t.Error("a second start created another first administrator")
		}
		if _, statErr := os.Stat(keyFile); !os.IsNotExist(statErr) {
			t.Errorf("serve wrote a master key file although the key came from the environment (stat: %v)", statErr)
		}
	})
}

func TestAMasterKeyFromTheEnvironmentIsNotWrittenToDisk(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := emptySite(t, backend)
		cfg := s.config(t)
		var err error
		if cfg.MasterKey, err = pki.ParseMasterKey(base64.StdEncoding.EncodeToString(make([]byte, 32))); err != nil {
			t.Fatal(err)
		}
		in, creds, err := OpenForServe(t.Context(), cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		if creds == nil {
			t.Error("a new installation returned no sign-in details")
		}
		if _, err := os.Stat(filepath.Join(s.data, "master.key")); !os.IsNotExist(err) {
			t.Errorf("a master key file was written although the key came from the environment (stat: %v)", err)
		}
	})
}

// A valid key that is not the installation's own is refused before anything is sealed
// with it, by serve and by every other command.
func TestAWrongMasterKeyIsRefused(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		wrong := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
		cfg := s.config(t)
		var err error
		if cfg.MasterKey, err = pki.ParseMasterKey(wrong); err != nil {
			t.Fatal(err)
		}
		_, _, err = OpenForServe(t.Context(), cfg, slog.New(slog.DiscardHandler))
		if !errors.Is(err, mdm.ErrWrongMasterKey) {
			t.Fatalf("serve with another installation's key: %v", err)
		}
		if _, err = Open(t.Context(), cfg, slog.New(slog.DiscardHandler)); !errors.Is(err, mdm.ErrWrongMasterKey) {
			t.Fatalf("a command with another installation's key: %v", err)
		}
	})
}
