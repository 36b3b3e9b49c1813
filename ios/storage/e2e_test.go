package storage_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/micromdm/nanomdm/test/e2e"

	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// backends are the databases every test of the storage runs on.
var backends = []string{storetest.SQLite, storetest.Postgres}

// open returns the storage on a fresh, migrated database of the backend, and the store
// it lives in.
func open(t testing.TB, backend string, opts ...storage.Option) (*storage.Storage, *store.Store) {
	t.Helper()
	st := storetest.Open(t, backend, store.WithMigrations(store.MigrationSource{Name: "ios", FS: ios.Migrations()}))
	return storage.New(st.Tables(), storetest.PlainSealer{}, opts...), st
}

// TestE2E runs nanomdm's own end-to-end storage suite: enrolment, certificate
// authentication, push data, bootstrap tokens, the command queue and migration, through
// nanomdm's HTTP handlers and services.
func TestE2E(t *testing.T) {
	chdirIntoNanoMDM(t)
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			s, _ := open(t, backend)
			e2e.TestE2E(t, context.Background(), s)
		})
	}
}

// chdirIntoNanoMDM moves the test into a directory two levels below nanomdm's module
// directory, since the suite reads its test data by paths relative to such a directory
// ("../../mdm/testdata/…"). The go command names the module directory, which is in the
// module cache wherever the module was downloaded.
func chdirIntoNanoMDM(t *testing.T) {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/micromdm/nanomdm").Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("find nanomdm's module directory: %v %s", err, stderr)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		t.Fatal("find nanomdm's module directory: the go command names none (vendored?)")
	}
	suite := filepath.Join(dir, "test", "e2e")
	if _, err := os.Stat(filepath.Join(suite, "testdata", "push.pem")); err != nil {
		t.Fatalf("nanomdm's test data: %v", err)
	}
	t.Chdir(suite)
}
