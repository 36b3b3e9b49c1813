package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

func TestAuditExportFilters(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		s.platformsSetUp(t, "default")
		// Anna and Bob are invited; a phone of Anna's is removed, an event that names only
		// the device.
		var anna struct {
			EmployeeID string `json:"employee_id"`
		}
		r := s.run(t, "invite", "create", "--tenant", "default", "--email", "anna@musterstadt.de", "--qr", "-", "--json")
		r.wantCode(t, 0)
		r.decode(t, &anna)
		s.run(t, "invite", "create", "--tenant", "default", "--email", "bob@musterstadt.de", "--qr", "-").wantCode(t, 0)
		st := s.store(t)
		ctx := t.Context()
		tn, err := st.Tenants().TenantByName(ctx, "default")
		if err != nil {
			t.Fatal(err)
		}
		phone := mdm.Device{ID: mdm.NewID(), EmployeeID: anna.EmployeeID, Platform: mdm.PlatformAndroid, State: mdm.DeviceActive,
			Compliance: mdm.ComplianceCompliant, CreatedAt: t0, UpdatedAt: t0}
		if err := st.Devices().CreateDevice(ctx, tn.ID, &phone); err != nil {
			t.Fatal(err)
		}
		s.run(t, "device", "remove", "--tenant", "default", phone.ID).wantCode(t, 0)
		// Three events on fixed days of 2025, long before the others.
		for _, at := range []time.Time{t0, time.Date(2025, 3, 2, 23, 59, 59, 0, time.UTC), time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)} {
			if _, err := st.AppendAudit(ctx, tn.ID, at, audit.Record{Actor: "system", Action: audit.DeviceView, Subject: audit.Device.Of(at.Format(time.DateTime))}); err != nil {
				t.Fatal(err)
			}
		}

		cases := []struct {
			name     string
			args     []string
			want     []string // subjects or actions of the exported events
			from, to string
		}{
			{"one day", []string{"--from", "2025-03-02", "--to", "2025-03-02"},
				[]string{"device:2025-03-02 23:59:59"}, "2025-03-02T00:00:00Z", "2025-03-03T00:00:00Z"},
			{"up to the end of a day", []string{"--to", "2025-03-03"},
				[]string{"device:2025-03-01 09:00:00", "device:2025-03-02 23:59:59", "device:2025-03-03 00:00:00"}, "", "2025-03-04T00:00:00Z"},
			{"times with offsets: from inclusive, to exclusive", []string{"--from", "2025-03-01T10:00:00+01:00", "--to", "2025-03-03T01:00:00+01:00"},
				[]string{"device:2025-03-01 09:00:00", "device:2025-03-02 23:59:59"}, "2025-03-01T09:00:00Z", "2025-03-03T00:00:00Z"},
			{"one employee: invitation, device, the export itself", []string{"--employee", "Anna@Musterstadt.de"},
				[]string{"invitation.create", "device.remove", "audit.export"}, "", ""},
			{"one employee and a time range", []string{"--employee", "anna@musterstadt.de", "--to", "2025-03-04"}, nil, "", "2025-03-05T00:00:00Z"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				out, m := s.export(t, append([]string{"--tenant", "default"}, c.args...)...)
				var got []string
				for _, e := range jsonLines(t, readFile(t, out, "events.jsonl")) {
					if e.Action == audit.DeviceView {
						got = append(got, e.Subject)
					} else {
						got = append(got, string(e.Action))
					}
				}
				if !slices.Equal(got, c.want) || m.Events != int64(len(c.want)) {
					t.Errorf("exported %v (manifest: %d events), want %v", got, m.Events, c.want)
				}
				if rangeText(m.TimeRange.From) != c.from || rangeText(m.TimeRange.To) != c.to {
					t.Errorf("manifest time range %s to %s, want %q to %q", rangeText(m.TimeRange.From), rangeText(m.TimeRange.To), c.from, c.to)
				}
				wantEmployee := slices.Contains(c.args, "--employee")
				if (m.Employee != nil) != wantEmployee || wantEmployee && (m.Employee.ID != anna.EmployeeID || m.Employee.Email != "anna@musterstadt.de") {
					t.Errorf("manifest employee %+v", m.Employee)
				}
			})
		}
	})
}

func rangeText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// A refused export leaves nothing behind: no directory, no file, no audit event, no
// signing certificate.
func TestAuditExportRefusesBadRequestsAndWritesNothing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		s.platformsSetUp(t, "default")
		s.run(t, "invite", "create", "--tenant", "default", "--email", "anna@musterstadt.de", "--qr", "-").wantCode(t, 0)
		full := t.TempDir()
		if err := os.WriteFile(filepath.Join(full, "notes.txt"), []byte("mine"), 0o600); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "export")
		if err := os.WriteFile(file, []byte("mine"), 0o600); err != nil {
			t.Fatal(err)
		}
		events, certs := s.auditEvents(t), s.certificates(t)

		cases := []struct {
			name string
			args []string // --out is a new directory unless the case gives one
			code int
			want string
		}{
			{"unknown tenant", []string{"--tenant", "nowhere"}, exitFailed, `no tenant named "nowhere"`},
			{"no tenant", nil, exitUsage, "--tenant is required"},
			{"unknown employee", []string{"--tenant", "default", "--employee", "nobody@musterstadt.de"}, exitFailed, "tenant default has no employee nobody@musterstadt.de"},
			{"not an e-mail address", []string{"--tenant", "default", "--employee", "anna"}, exitUsage, `"anna" is not an e-mail address`},
			{"unknown format", []string{"--tenant", "default", "--format", "xml"}, exitUsage, `export format "xml": use jsonl or csv`},
			{"bad date", []string{"--tenant", "default", "--from", "yesterday"}, exitUsage, `--from "yesterday": give a date`},
			{"impossible date", []string{"--tenant", "default", "--to", "2025-02-30"}, exitUsage, `--to "2025-02-30"`},
			{"empty time range", []string{"--tenant", "default", "--from", "2025-03-02", "--to", "2025-03-01"}, exitUsage, "time range is empty"},
			{"no --out", []string{"--tenant", "default", "--out", ""}, exitUsage, "--out is required"},
			{"--out not empty", []string{"--tenant", "default", "--out", full}, exitFailed, "is not empty"},
			{"--out is a file", []string{"--tenant", "default", "--out", file}, exitFailed, "is a file"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				out := filepath.Join(t.TempDir(), "export")
				r := s.run(t, slices.Concat([]string{"audit", "export", "--out", out}, c.args)...)
				r.wantCode(t, c.code)
				r.wantStderr(t, c.want)
				if _, err := os.Stat(out); !os.IsNotExist(err) {
					t.Errorf("the refused export created %s", out)
				}
			})
		}
		if entries, _ := os.ReadDir(full); len(entries) != 1 || string(readFile(t, file)) != "mine" {
			t.Errorf("a refused export touched the existing files")
		}
		if got := s.auditEvents(t); got["default"] != events["default"] {
			t.Errorf("refused exports left %d audit events", got["default"]-events["default"])
		}
		if got := s.certificates(t); got != certs {
			t.Errorf("refused exports issued %d signing certificates", got-certs)
		}
	})
}

// certificates counts the certificates the site's CA issued.
func (s site) certificates(t *testing.T) int {
	t.Helper()
	r := s.run(t, "pki", "list", "--json")
	r.wantCode(t, 0)
	var list struct {
		Certificates []json.RawMessage `json:"certificates"`
	}
	r.decode(t, &list)
	return len(list.Certificates)
}
