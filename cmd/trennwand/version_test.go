package main

import (
	"os/exec"
	"runtime"
	"strings"
	"testing"
)

// A program built as `make build` builds it says which release and commit it is, on its
// own line (--version) and as JSON for scripts.
func TestVersionNamesTheBuild(t *testing.T) {
	out, err := exec.Command(binary(t), "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if line := string(out); line != "trennwand "+testVersion+" (commit 0123456789ab, built 2026-12-06T07:00:00Z, "+runtime.Version()+")\n" {
		t.Errorf("--version printed %q", line)
	}
	cmd := exec.Command(binary(t), "version", "--json")
	out, err = cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	r := result{stdout: string(out)}
	var v struct {
		Version, Commit, Date string
		GoVersion             string `json:"go_version"`
	}
	r.decode(t, &v)
	if v.Version != testVersion || v.Commit != testCommit || v.Date != "2026-12-06T07:00:00Z" || !strings.HasPrefix(v.GoVersion, "go1.") {
		t.Errorf("version --json: %s", out)
	}
}

// A program built without the release's flags (go run, go test) still answers, and says
// that it is no release.
func TestVersionOfAnUnstampedBuild(t *testing.T) {
	r := trennwand(t, "version", "--json")
	r.wantCode(t, 0)
	var v map[string]any
	r.decode(t, &v)
	if v["version"] != "devel" || v["commit"] == "" || v["go_version"] != runtime.Version() {
		t.Errorf("version --json of an unstamped build: %s", r.stdout)
	}
	for _, key := range []string{"version", "commit", "date", "go_version"} {
		if _, ok := v[key]; !ok {
			t.Errorf("version --json lacks %q: %s", key, r.stdout)
		}
	}
}
