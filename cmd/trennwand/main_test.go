package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// TestMain keeps the tests independent of the machine: settings that an operator may have
// exported must not reach the command lines under test. Only the PostgreSQL server for the
// tests stays.
func TestMain(m *testing.M) {
	testLDAP = os.Getenv("TRENNWAND_TEST_LDAP")
	testLDAPS, testLDAPCA = os.Getenv("TRENNWAND_TEST_LDAPS"), os.Getenv("TRENNWAND_TEST_LDAP_CA")
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "TRENNWAND_") && name != storetest.EnvPostgres {
			os.Unsetenv(name)
		}
	}
	code := m.Run()
	if binaryDir != "" {
		os.RemoveAll(binaryDir)
	}
	os.Exit(code)
}

// testVersion and testCommit are what the test binary is stamped with.
const (
	testVersion    = "v0.0.0-test"
	testCommit     = "0123456789abcdef0123456789abcdef01234567"
	testBuildFlags = "-X github.com/trennwand/trennwand/buildinfo.version=" + testVersion +
		" -X github.com/trennwand/trennwand/buildinfo.commit=" + testCommit +
		" -X github.com/trennwand/trennwand/buildinfo.date=2026-12-06T07:00:00Z"
)

var (
	buildOnce sync.Once
	binaryDir string
	binaryErr error
)

// binary returns the path of the trennwand program, built once for the tests that need a
// real process: a file lock held by another process, a signal, an exit code of the OS.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if binaryDir, binaryErr = os.MkdirTemp("", "trennwand-test-bin-"); binaryErr != nil {
			return
		}
		// Stamped as `make build` stamps a release, so that the tests see the version
		// wherever the program shows it.
		out, err := exec.Command("go", "build", "-ldflags", testBuildFlags, "-o", filepath.Join(binaryDir, "trennwand"), ".").CombinedOutput()
		if err != nil {
			binaryErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return filepath.Join(binaryDir, "trennwand")
}

// result is what one command line did.
type result struct {
	args           []string
	code           int
	stdout, stderr string
}

// trennwand runs one command line in this process, the way main does.
func trennwand(t *testing.T, args ...string) result {
	t.Helper()
	return trennwandUntil(t.Context(), args...)
}

// trennwandUntil runs one command line in this process as if a stop signal arrived when
// ctx ends.
func trennwandUntil(ctx context.Context, args ...string) result {
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, &stdout, &stderr)
	return result{args: args, code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// wantCode fails the test unless the command line exited with code.
func (r result) wantCode(t *testing.T, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("trennwand %s: exit code %d, want %d\nstdout:\n%s\nstderr:\n%s",
			strings.Join(r.args, " "), r.code, code, r.stdout, r.stderr)
	}
}

// wantStderr fails the test unless stderr holds every one of the fragments.
func (r result) wantStderr(t *testing.T, fragments ...string) {
	t.Helper()
	for _, f := range fragments {
		if !strings.Contains(r.stderr, f) {
			t.Errorf("trennwand %s: stderr does not mention %q:\n%s", strings.Join(r.args, " "), f, r.stderr)
		}
	}
}

// decode reads stdout as exactly one JSON object into v.
func (r result) decode(t *testing.T, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	if err := dec.Decode(v); err != nil {
		t.Fatalf("trennwand %s: stdout is not JSON: %v\n%s", strings.Join(r.args, " "), err, r.stdout)
	}
	if dec.More() {
		t.Fatalf("trennwand %s: stdout holds more than one JSON object:\n%s", strings.Join(r.args, " "), r.stdout)
	}
}

// forEachBackend runs fn as a parallel subtest on SQLite and on PostgreSQL.
func forEachBackend(t *testing.T, fn func(t *testing.T, backend string)) {
	t.Helper()
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			fn(t, backend)
		})
	}
}

// syncBuffer collects what a process writes, readable while it still runs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Contains reports whether the output so far contains s.
func (b *syncBuffer) Contains(s string) bool { return strings.Contains(b.String(), s) }
