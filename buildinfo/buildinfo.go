// Package buildinfo says which trennwand this binary is: its version, the commit it was
// built from, when, and with which Go. `make build` sets the first three at link time
// (-ldflags -X); a binary built otherwise (go build, go install, go run) takes the
// commit and its time from what the Go toolchain records about the version control
// system, and calls its version "devel".
package buildinfo

import (
	"runtime"
	"runtime/debug"
	"time"
)

// Set at link time by `make build` and the Dockerfile:
//
//	-X github.com/trennwand/trennwand/buildinfo.version=v1.2.3
//	-X github.com/trennwand/trennwand/buildinfo.commit=<hash>
//	-X github.com/trennwand/trennwand/buildinfo.date=<RFC 3339 time>
//
// They are variables because the linker sets nothing else; nothing assigns them at run time.
var version, commit, date string

// Info is what a binary says about itself in `trennwand version`, the start log line,
// /healthz and the trennwand_build_info metric.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	Date      string `json:"date"`
	GoVersion string `json:"go_version"`
	// Modified says that the working tree had uncommitted changes when it was built.
	Modified bool `json:"modified,omitempty"`
}

// Unknown stands for a part the build did not record.
const Unknown = "unknown"

// Read returns the information of the running binary.
func Read() Info {
	bi, _ := debug.ReadBuildInfo()
	return resolve(version, commit, date, bi)
}

// resolve prefers what the linker set, then what the toolchain recorded.
func resolve(version, commit, date string, bi *debug.BuildInfo) Info {
	info := Info{Version: version, Commit: commit, Date: date, GoVersion: runtime.Version()}
	if bi != nil {
		if bi.GoVersion != "" {
			info.GoVersion = bi.GoVersion
		}
		if info.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			info.Version = bi.Main.Version // go install module@version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if info.Commit == "" {
					info.Commit = s.Value
				}
			case "vcs.time":
				if info.Date == "" {
					info.Date = s.Value
				}
			case "vcs.modified":
				info.Modified = s.Value == "true"
			}
		}
	}
	if info.Version == "" {
		info.Version = "devel"
	}
	if info.Commit == "" {
		info.Commit = Unknown
	}
	if info.Date == "" {
		info.Date = Unknown
	} else if t, err := time.Parse(time.RFC3339, info.Date); err == nil {
		info.Date = t.UTC().Format(time.RFC3339)
	}
	return info
}

// Short is the commit's first 12 characters, as people quote it.
func (i Info) Short() string {
	if len(i.Commit) > 12 {
		return i.Commit[:12]
	}
	return i.Commit
}

// String is the one line `trennwand --version` prints.
func (i Info) String() string {
	s := "trennwand " + i.Version + " (commit " + i.Short()
	if i.Modified {
		s += ", modified"
	}
	return s + ", built " + i.Date + ", " + i.GoVersion + ")"
}
