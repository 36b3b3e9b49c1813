package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/android/amapifake"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

func TestServeMetricsOnAnAddressOfTheirOwn(t *testing.T) {
	s := emptySite(t, storetest.SQLite)
	metricsAddr := freeAddr(t)
	srv := startServe(t, append(s.flags, "--metrics-addr", metricsAddr)...)
	srv.waitServing(t)
	if status, body := get(t, srv.url("/metrics")); status != http.StatusNotFound {
		t.Errorf("GET /metrics on the main address: %d, want 404:\n%s", status, body)
	}
	status, body := get(t, "https://"+metricsAddr+"/metrics")
	if status != http.StatusOK || !strings.Contains(body, `trennwand_http_requests_total{code="200",method="GET",route="/healthz"}`) ||
		!strings.Contains(body, "go_goroutines ") {
		t.Errorf("GET /metrics on --metrics-addr: %d, want 200 with the request counts and Go runtime metrics:\n%s", status, body)
	}
	if status, _ := get(t, "https://"+metricsAddr+"/healthz"); status != http.StatusNotFound {
		t.Errorf("GET /healthz on --metrics-addr: %d, want 404: it serves /metrics only", status)
	}
	if code := srv.stop(t); code != 0 {
		t.Errorf("serve exited with %d after SIGTERM, want 0", code)
	}

	trennwand(t, "serve", "--data", t.TempDir(), "--metrics-addr", "9443").wantCode(t, 2)
}

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

// The public URL goes into what phones keep (work-profile configurations, QR codes); a
// command run later on another host, without the setting, must not write its own host name
// there. serve stores the operator's URL; later commands use it.
func TestCommandsUseThePublicURLThatServeStored(t *testing.T) {
	s := emptySite(t, storetest.SQLite)
	const public = "https://mdm.musterstadt.example"
	srv := startServe(t, append(s.flags, "--public-url", public)...)
	srv.waitServing(t)
	srv.stop(t)

	fake := amapifake.New()
	amapi := httptest.NewServer(fake.Handler())
	t.Cleanup(amapi.Close)
	enterprise := fake.CreateEnterprise("Stadt Musterstadt")
	flags := []string{"--tenant", "default", "--amapi-endpoint", amapi.URL + "/"}
	s.run(t, append([]string{"android", "bind", "--enterprise", enterprise, "--topic", "projects/trennwand-test/topics/trennwand-default"}, flags...)...).wantCode(t, 0)
	s.run(t, append([]string{"android", "certificates"}, flags...)...).wantCode(t, 0)
	if got := companionConfig(t, fake, enterprise)[android.ConfigChallengeURL]; got != public+android.PathCertificateChallenge {
		t.Errorf("the work profiles' challenge URL is %q, want the one serve stored, %q", got, public+android.PathCertificateChallenge)
	}
	if url := inviteURL(t, s, "person1@musterstadt.de"); !strings.HasPrefix(url, public+"/e/") {
		t.Errorf("invitation URL %q, want it at %s", url, public)
	}

	// Given for one command, it is used for that command and stored by nobody but serve.
	r := s.run(t, "invite", "create", "--tenant", "default", "--email", "ben@musterstadt.de", "--qr", "-", "--json",
		"--public-url", "https://elsewhere.musterstadt.example")
	r.wantCode(t, 0)
	var inv createdInvitation
	r.decode(t, &inv)
	if !strings.HasPrefix(inv.URL, "https://elsewhere.musterstadt.example/e/") {
		t.Errorf("invitation URL with --public-url: %q", inv.URL)
	}
	if url := inviteURL(t, s, "person2@musterstadt.de"); !strings.HasPrefix(url, public+"/e/") {
		t.Errorf("after a command with its own --public-url, the invitation URL is %q, want it at %s", url, public)
	}

	// The operator moves the server: serve with the new URL stores it.
	const moved = "https://mdm.kreis.example/musterstadt"
	srv = startServe(t, append(s.flags, "--public-url", moved)...)
	srv.waitServing(t)
	srv.stop(t)
	if url := inviteURL(t, s, "person3@musterstadt.de"); !strings.HasPrefix(url, moved+"/e/") {
		t.Errorf("after serve with a new public URL, the invitation URL is %q, want it at %s", url, moved)
	}
	// A start without the setting keeps it.
	srv = startServe(t, s.flags...)
	srv.waitServing(t)
	srv.stop(t)
	if url := inviteURL(t, s, "person4@musterstadt.de"); !strings.HasPrefix(url, moved+"/e/") {
		t.Errorf("after serve without --public-url, the invitation URL is %q, want it still at %s", url, moved)
	}
}

// inviteURL creates an invitation without --public-url and returns its URL.
func inviteURL(t *testing.T, s site, email string) string {
	t.Helper()
	r := s.run(t, "invite", "create", "--tenant", "default", "--email", email, "--qr", "-", "--json")
	r.wantCode(t, 0)
	var inv createdInvitation
	r.decode(t, &inv)
	return inv.URL
}

// companionConfig returns the managed configuration of the certificate companion app in
// the enterprise's baseline policy.
func companionConfig(t *testing.T, fake *amapifake.Fake, enterprise string) map[string]string {
	t.Helper()
	policy, _ := fake.Policy(enterprise + "/policies/baseline")
	for _, app := range policy.Applications {
		if app.PackageName == android.DefaultCompanionPackage {
			var config map[string]string
			if err := json.Unmarshal(app.ManagedConfiguration, &config); err != nil {
				t.Fatal(err)
			}
			return config
		}
	}
	t.Fatalf("no companion app in the baseline policy: %+v", policy.Applications)
	return nil
}
