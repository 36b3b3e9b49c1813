package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// deployDir holds what operators install beside the server.
const deployDir = "../../deploy"

// promtool returns the path of Prometheus's promtool (Debian: package "prometheus", which
// scripts/test installs when it runs as root). Without it the test is skipped, and fails
// under CI.
func promtool(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("promtool not found: install Debian's prometheus package")
		}
		t.Skip("promtool not found: install Debian's prometheus package (scripts/test does as root)")
	}
	return path
}

// A demo server with phones enrolled exposes its build and domain metrics in a form
// promtool accepts, without anything that names a person or a device; the dashboard and
// the alert rules shipped in deploy/ ask only for metrics the server has, and promtool
// accepts the rules and their tests.
func TestMonitoringOfALiveDemoServer(t *testing.T) {
	tool := promtool(t)
	s, srv, _ := demoServer(t, "sqlite", "--demo-devices", "4")

	var body string
	// The gauges read from the database are read again after 10 s at the latest.
	srv.waitUntil(t, "the demo phones have enrolled and checked in", func() bool {
		var status int
		status, body = get(t, srv.url("/metrics"))
		if status != http.StatusOK || completed(body) < 4 || !strings.Contains(body, `trennwand_checkins_total{platform="ios",type="Idle"}`) ||
			!strings.Contains(body, `trennwand_devices{`) {
			time.Sleep(200 * time.Millisecond)
			return false
		}
		return true
	})

	check := exec.Command(tool, "check", "metrics")
	check.Stdin = strings.NewReader(body)
	if out, err := check.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}

	exposed := exposedNames(body)
	for _, name := range []string{
		"trennwand_build_info", "trennwand_ready", "trennwand_devices", "trennwand_enrolments_total",
		"trennwand_checkins_total", "trennwand_command_results_total", "trennwand_commands_pending",
		"trennwand_commands_oldest_pending_age_seconds", "trennwand_apns_pushes_total", "trennwand_jobs",
		"trennwand_jobs_oldest_available_age_seconds", "trennwand_job_runs_total", "trennwand_job_retries_total",
		"trennwand_job_wait_seconds", "trennwand_job_duration_seconds", "trennwand_amapi_requests_total",
		"trennwand_scep_requests_total", "trennwand_certificate_expiry_seconds", "trennwand_audit_chain_events",
		"trennwand_audit_checkpoint_age_seconds", "trennwand_audit_unsigned_events", "trennwand_audit_checkpoint_lag_seconds",
	} {
		if !exposed[name] {
			t.Errorf("/metrics has no %s", name)
		}
	}
	for _, want := range []string{
		`trennwand_build_info{commit="` + testCommit + `",date="2026-12-06T07:00:00Z",goversion="go`,
		`version="` + testVersion + `"} 1`,
		`trennwand_ready 1`,
		`trennwand_scep_requests_total{reason="",result="issued"}`,
		`trennwand_certificate_expiry_seconds{kind="apns_push_certificate"}`,
		`trennwand_certificate_expiry_seconds{kind="server_certificate"}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	// Nothing that names a person or a device: no e-mail address, no device or
	// employee ID, no tenant unless the operator asks for it.
	r := s.run(t, "device", "list", "--tenant", "default", "--json")
	r.wantCode(t, 0)
	var list struct {
		Devices []struct {
			ID       string `json:"id"`
			Employee string `json:"employee_id"`
		} `json:"devices"`
	}
	r.decode(t, &list)
	if len(list.Devices) < 4 {
		t.Fatalf("%d devices listed, want the 4 demo phones:\n%s", len(list.Devices), r.stdout)
	}
	for _, d := range list.Devices {
		for _, v := range []string{d.ID, d.Employee} {
			if v != "" && strings.Contains(body, v) {
				t.Errorf("/metrics names %q of a device", v)
			}
		}
	}
	if strings.Contains(body, "@") || strings.Contains(body, `tenant="`) {
		t.Errorf("/metrics carries an e-mail address or a tenant label:\n%s", matching(body, "@", `tenant="`))
	}

	status, health := get(t, srv.url("/healthz"))
	var h struct{ Status, Version, Commit string }
	if err := json.Unmarshal([]byte(health), &h); status != http.StatusOK || err != nil || h.Status != "ok" || h.Version != testVersion || h.Commit != testCommit {
		t.Errorf("/healthz: %d %s, want status ok with version %s and commit %s", status, health, testVersion, testCommit)
	}
	srv.stop(t)
	if !strings.Contains(srv.stderr.String(), "version="+testVersion) {
		t.Errorf("the start log line does not name the version:\n%s", srv.stderr)
	}

	for _, file := range []string{"grafana/trennwand.json", "prometheus/trennwand.rules.yml"} {
		for _, name := range askedFor(t, filepath.Join(deployDir, file)) {
			if !exposed[name] {
				t.Errorf("%s asks for %s, which the server does not expose", file, name)
			}
		}
	}
	for _, args := range [][]string{
		{"check", "rules", "trennwand.rules.yml"},
		{"test", "rules", "trennwand.rules.test.yml"},
	} {
		cmd := exec.Command(tool, args...)
		cmd.Dir = filepath.Join(deployDir, "prometheus")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// completed sums the completed enrolments in a scrape.
func completed(body string) int {
	n := 0
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, "trennwand_enrolments_total{") && strings.Contains(line, `stage="completed"`) {
			if strings.HasSuffix(line, "} 0") {
				continue
			}
			if v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64); err == nil {
				n += int(v)
			}
		}
	}
	return n
}

// exposedNames are the metric families of a scrape, with the series names of histograms
// (_bucket, _sum, _count) beside their family's.
func exposedNames(body string) map[string]bool {
	names := map[string]bool{}
	for _, line := range strings.Split(body, "\n") {
		f := strings.Fields(line)
		if len(f) == 4 && f[0] == "#" && f[1] == "TYPE" {
			names[f[2]] = true
			if f[3] == "histogram" {
				for _, suffix := range []string{"_bucket", "_sum", "_count"} {
					names[f[2]+suffix] = true
				}
			}
		}
	}
	return names
}

var metricName = regexp.MustCompile(`\btrennwand_[a-z0-9_]+`)

// askedFor returns the trennwand metrics a dashboard or rules file queries.
func askedFor(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".json") {
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var exprs bytes.Buffer
		collectExprs(v, &exprs)
		b = exprs.Bytes()
		if len(b) == 0 {
			t.Fatalf("%s has no queries", path)
		}
	}
	names := metricName.FindAllString(string(b), -1)
	slices.Sort(names)
	return slices.Compact(names)
}

// collectExprs writes every "expr" and variable "query" of a dashboard's JSON to w.
func collectExprs(v any, w *bytes.Buffer) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && (k == "expr" || k == "definition") {
				w.WriteString(s + "\n")
			}
			collectExprs(x, w)
		}
	case []any:
		for _, x := range v {
			collectExprs(x, w)
		}
	}
}

// matching returns the lines of body that contain any of the fragments.
func matching(body string, fragments ...string) string {
	var out []string
	for _, line := range strings.Split(body, "\n") {
		for _, f := range fragments {
			if strings.Contains(line, f) {
				out = append(out, line)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}
