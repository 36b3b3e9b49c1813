package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// systemdAnalyze returns the path of systemd-analyze (Debian: package "systemd", which
// scripts/test installs when it runs as root). Without it the test is skipped, and fails
// under CI.
func systemdAnalyze(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("systemd-analyze not found: install Debian's systemd package")
		}
		t.Skip("systemd-analyze not found: install Debian's systemd package (scripts/test does as root)")
	}
	return path
}

// unitSettings reads a systemd unit's settings, "Section.Key" to the values in their order.
func unitSettings(t *testing.T, text string) map[string][]string {
	t.Helper()
	settings := map[string][]string{}
	section := ""
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.Trim(line, "[]")
		default:
			key, value, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("unit line %q is not Key=Value", line)
			}
			settings[section+"."+key] = append(settings[section+"."+key], value)
		}
	}
	return settings
}

// The systemd unit shipped in deploy/ is one systemd accepts as written; it runs the server
// as a user of its own with a sandbox, and systemd's own offline security review rates its
// exposure no higher than today's 1.5 ("OK"). A hardening line dropped by mistake fails the
// list below or raises the rating.
func TestTheSystemdUnitIsValidAndHardened(t *testing.T) {
	analyze := systemdAnalyze(t)
	raw, err := os.ReadFile(filepath.Join(deployDir, "trennwand.service"))
	if err != nil {
		t.Fatal(err)
	}
	unit := string(raw)
	settings := unitSettings(t, unit)
	for key, want := range map[string]string{
		"Service.ExecStart":               "/usr/local/bin/trennwand serve",
		"Service.DynamicUser":             "yes",
		"Service.User":                    "trennwand",
		"Service.StateDirectory":          "trennwand",
		"Service.UMask":                   "0077",
		"Service.ProtectSystem":           "strict",
		"Service.ReadWritePaths":          "/var/lib/trennwand",
		"Service.ProtectHome":             "yes",
		"Service.PrivateTmp":              "yes",
		"Service.PrivateDevices":          "yes",
		"Service.NoNewPrivileges":         "yes",
		"Service.CapabilityBoundingSet":   "",
		"Service.RestrictSUIDSGID":        "yes",
		"Service.MemoryDenyWriteExecute":  "yes",
		"Service.SystemCallArchitectures": "native",
		"Service.KillSignal":              "SIGTERM",
		"Install.WantedBy":                "multi-user.target",
	} {
		got, ok := settings[key]
		if !ok || got[len(got)-1] != want {
			t.Errorf("deploy/trennwand.service: %s is %q, want %q", key, got, want)
		}
	}
	for _, line := range []string{"EnvironmentFile=-/etc/trennwand/trennwand.env", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX"} {
		if !strings.Contains(unit, "\n"+line+"\n") {
			t.Errorf("deploy/trennwand.service lacks %q", line)
		}
	}

	// verify wants ExecStart's program to exist: this test's own executable stands in.
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "trennwand.service")
	if err := os.WriteFile(path, []byte(strings.Replace(unit, "ExecStart=/usr/local/bin/trennwand ", "ExecStart="+exe+" ", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(analyze, "verify", path).CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("systemd-analyze verify finds fault with the unit (%v):\n%s", err, out)
	}
	out, err := exec.Command(analyze, "security", "--offline=yes", "--threshold=15", path).CombinedOutput()
	level := regexp.MustCompile(`Overall exposure level for trennwand\.service: ([0-9.]+)`).FindSubmatch(out)
	if level == nil {
		t.Fatalf("systemd-analyze security gave no overall exposure level (%v):\n%s", err, out)
	}
	if rating, _ := strconv.ParseFloat(string(level[1]), 64); err != nil || rating > 1.5 {
		t.Fatalf("systemd rates the unit's exposure %s, more than 1.5: a sandbox setting was lost (%v)", level[1], err)
	}
}

// The container image is built with the same flags as `make build`: the same build tags
// (step-ca's unused database backends left out) and the version stamped into the same
// variables of package buildinfo, which exist.
func TestTheDockerfileBuildsLikeTheMakefile(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("../..", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	makefile, dockerfile := read("Makefile"), read("Dockerfile")
	tags := regexp.MustCompile(`(?m)^TAGS\s*\?=\s*(.+)$`).FindStringSubmatch(makefile)
	if tags == nil {
		t.Fatal("the Makefile sets no TAGS")
	}
	if !strings.Contains(dockerfile, "-tags '"+strings.TrimSpace(tags[1])+"'") {
		t.Errorf("the Dockerfile does not build with the Makefile's tags %q", tags[1])
	}
	for _, flag := range []string{"-trimpath", "CGO_ENABLED=0", `-ldflags "-s -w `} {
		if !strings.Contains(dockerfile, flag) {
			t.Errorf("the Dockerfile's build lacks %s", flag)
		}
	}
	info := read("buildinfo/buildinfo.go")
	for _, v := range []string{"version", "commit", "date"} {
		x := "-X github.com/trennwand/trennwand/buildinfo." + v + "="
		if !strings.Contains(dockerfile, x) {
			t.Errorf("the Dockerfile does not stamp buildinfo.%s", v)
		}
		if !regexp.MustCompile(`(?m)^var\s[^=\n]*\b` + v + `\b[^=\n]*\sstring\s*$`).MatchString(info) {
			t.Errorf("package buildinfo has no variable %s for -X to set", v)
		}
	}
	if !strings.Contains(dockerfile, `org.opencontainers.image.version="${VERSION}"`) || !strings.Contains(dockerfile, "USER nonroot") {
		t.Error("the image lost its version label or its non-root user")
	}
}
