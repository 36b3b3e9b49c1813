package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/pki"
)

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
		_, _, err = openForServe(t.Context(), s.config(t), log)
		if err == nil {
			t.Fatal("serve started an existing installation without its master key")
		}
		if _, statErr := os.Stat(keyFile); !os.IsNotExist(statErr) {
			t.Errorf("serve made a new master key file for an existing installation (stat: %v)", statErr)
		}
		r := s.run(t, "tenant", "list")
		r.wantCode(t, exitFailed)
		r.wantStderr(t, "no master key", "TRENNWAND_MASTER_KEY")

		// Given the installation's key from a secret store, it starts again.
		cfg := s.config(t)
		if cfg.MasterKey, err = pki.ParseMasterKey(string(key)); err != nil {
			t.Fatal(err)
		}
		in, creds, err := openForServe(t.Context(), cfg, log)
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
		if err := os.MkdirAll(s.data, 0o700); err != nil {
			t.Fatal(err)
		}
		cfg := s.config(t)
		var err error
		if cfg.MasterKey, err = pki.ParseMasterKey(base64.StdEncoding.EncodeToString(make([]byte, 32))); err != nil {
			t.Fatal(err)
		}
		in, creds, err := openForServe(t.Context(), cfg, slog.New(slog.DiscardHandler))
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
		_, _, err = openForServe(t.Context(), cfg, slog.New(slog.DiscardHandler))
		if !errors.Is(err, mdm.ErrWrongMasterKey) {
			t.Fatalf("serve with another installation's key: %v", err)
		}
		if _, err = openForCLI(t.Context(), cfg, slog.New(slog.DiscardHandler)); !errors.Is(err, mdm.ErrWrongMasterKey) {
			t.Fatalf("a command with another installation's key: %v", err)
		}
	})
}
