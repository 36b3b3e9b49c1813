package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// The database holds the tenants' people, devices and audit trail: no other user of the
// machine may read it, even when the data directory is open to all and the umask is 0.
func TestDatabaseFilesArePrivateWhateverTheDirectoryAndUmask(t *testing.T) {
	s := emptySite(t, storetest.SQLite)
	if err := os.MkdirAll(s.data, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(s.data, 0o777); err != nil {
		t.Fatal(err)
	}
	// The test is not parallel, so no other test of this process creates files meanwhile.
	old := syscall.Umask(0)
	srv := startServe(t, s.flags...)
	syscall.Umask(old)
	srv.waitServing(t)
	db := filepath.Join(s.data, "trennwand.db")
	for _, name := range []string{db, db + "-wal", db + "-shm"} {
		info, err := os.Stat(name)
		if err != nil {
			t.Errorf("after start: %v", err)
		} else if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Base(name), info.Mode().Perm())
		}
	}
	if code := srv.stop(t); code != 0 {
		t.Errorf("serve exited with %d after SIGTERM, want 0", code)
	}

	// An installation made before, with files others can read, is narrowed at the next start.
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	again := startServe(t, s.flags...)
	again.waitServing(t)
	if info, err := os.Stat(db); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("after a restart, the database file of mode 0644: %v %v, want mode 0600", info.Mode().Perm(), err)
	}
	again.stop(t)
}
