package main

import (
	"io"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// TestEnrolmentStormSurvivesKill kills the server with SIGKILL while 30 phones enrol and
// starts it again on the same data: every phone ends enrolled, no command is lost or
// delivered twice, every certificate belongs to a device and every iPhone has one, and
// the audit trail verifies.
func TestEnrolmentStormSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the server twice and 30 phones")
	}
	bin := filepath.Join(t.TempDir(), "trennwand")
	if out, err := exec.Command("go", "build", "-o", bin, "../trennwand").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			cfg := config{binary: bin, dataDir: t.TempDir(), count: 15, concurrency: 4,
				killAfter: 1500 * time.Millisecond, down: 500 * time.Millisecond, retry: time.Minute, log: io.Discard}
			if backend == storetest.Postgres {
				cfg.db = storetest.NewDSN(t, backend)
			}
			r, err := run(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%+v", r)
			if problems := r.problems(); len(problems) > 0 {
				t.Errorf("after the crash: %v\n%+v", problems, r)
			}
			if r.Devices["ios/active"] != 15 || r.Devices["android/active"] != 15 {
				t.Errorf("devices by state %v, want 15 active of each platform", r.Devices)
			}
			if r.Retried == 0 {
				t.Errorf("no phone had to retry: the server was killed after the storm, not during it")
			}
			if r.CommandsDelivered == 0 {
				t.Errorf("the iPhones were handed no commands; the storm proves nothing about them")
			}
		})
	}
}
