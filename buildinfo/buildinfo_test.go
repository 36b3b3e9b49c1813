package buildinfo

import (
	"runtime/debug"
	"testing"
)

// What the linker set wins; without it the toolchain's record of the version control
// system tells the commit and its time; without either the build says it knows nothing.
func TestResolvePrefersTheLinkerThenTheToolchain(t *testing.T) {
	vcs := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "89abcdef0123456789abcdef0123456789abcdef"},
		{Key: "vcs.time", Value: "2026-12-01T10:00:00+01:00"},
		{Key: "vcs.modified", Value: "true"},
	}}
	tests := []struct {
		name                  string
		version, commit, date string
		bi                    *debug.BuildInfo
		want                  Info
	}{
		{"make build", "v1.2.0", "0123456789abcdef0123456789abcdef01234567", "2026-12-06T07:00:00Z", vcs,
			Info{Version: "v1.2.0", Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2026-12-06T07:00:00Z", GoVersion: "go1.26.8", Modified: true}},
		{"go build in a checkout", "", "", "", vcs,
			Info{Version: "devel", Commit: "89abcdef0123456789abcdef0123456789abcdef", Date: "2026-12-01T09:00:00Z", GoVersion: "go1.26.8", Modified: true}},
		{"go install module@version", "", "", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}},
			Info{Version: "v1.2.0", Commit: Unknown, Date: Unknown, GoVersion: "go1.26.8"}},
		{"nothing recorded", "", "", "", nil,
			Info{Version: "devel", Commit: Unknown, Date: Unknown, GoVersion: Read().GoVersion}},
	}
	for _, tt := range tests {
		if got := resolve(tt.version, tt.commit, tt.date, tt.bi); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestStringIsOneLineForPeople(t *testing.T) {
	i := Info{Version: "v1.2.0", Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2026-12-06T07:00:00Z", GoVersion: "go1.26.8"}
	if got, want := i.String(), "trennwand v1.2.0 (commit 0123456789ab, built 2026-12-06T07:00:00Z, go1.26.8)"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}
