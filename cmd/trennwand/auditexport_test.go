package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	inst "github.com/trennwand/trennwand/installation"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/audit/export"
)

// manifest is what the tests read of manifest.json.
type manifest struct {
	Format     string `json:"format"`
	Tenant     struct{ Name string }
	ExportedBy string `json:"exported_by"`
	TimeRange  struct {
		From, To *time.Time
	} `json:"time_range"`
	Employee *struct{ ID, Email string }
	Events   int64 `json:"events"`
	Files    []struct {
		Name   string `json:"name"`
		SHA256 string `json:"sha256"`
		Bytes  int64  `json:"bytes"`
	} `json:"files"`
	ChainHead  position  `json:"chain_head"`
	Checkpoint *position `json:"checkpoint"`
}

type position struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// export runs `audit export` into a new directory and returns the directory and its
// manifest.
func (s site) export(t *testing.T, args ...string) (string, manifest) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "export")
	s.run(t, slices.Concat([]string{"audit", "export", "--out", out}, args)...).wantCode(t, 0)
	var m manifest
	if err := json.Unmarshal(readFile(t, out, "manifest.json"), &m); err != nil {
		t.Fatal(err)
	}
	return out, m
}

// caPEM returns what /pki/ca.pem serves for the site.
func (s site) caPEM(t *testing.T) []byte {
	t.Helper()
	in, err := inst.Open(t.Context(), s.config(t), discardLog())
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	ca, err := in.CA(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return ca.CAPEM()
}

// opensslVerify runs the command the README documents in the export directory, with the
// site's ca.pem beside it.
func opensslVerify(t *testing.T, dir string, caPEM []byte) error {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed: the export's signature cannot be checked with it (Debian: apt-get install openssl)")
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	args := strings.Fields(strings.Replace(export.VerifyCommand, "ca.pem", ca, 1))
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%v: %s", err, out)
	}
	return nil
}

func readFile(t *testing.T, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(parts...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jsonLines reads an exported events.jsonl and checks that every line is an event whose
// hash can be recomputed from the line alone.
func jsonLines(t *testing.T, data []byte) []audit.Event {
	t.Helper()
	var events []audit.Event
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		var e audit.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if !bytes.Equal(e.ComputeHash(), e.Hash) {
			t.Errorf("event %d: the hash cannot be recomputed from the exported line %s", e.Seq, sc.Text())
		}
		events = append(events, e)
	}
	return events
}

func TestAuditExportWritesEventsAndASignedManifest(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		s.platformsSetUp(t, "default")
		s.run(t, "invite", "create", "--tenant", "default", "--email", "anna@musterstadt.de", "--qr", "-").wantCode(t, 0)

		out, m := s.export(t, "--tenant", "default")
		files, err := os.ReadDir(out)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range files {
			names = append(names, f.Name())
			if info, _ := f.Info(); info.Mode().Perm() != 0o600 {
				t.Errorf("%s has mode %s, want 0600: audit events are personal data", f.Name(), info.Mode().Perm())
			}
		}
		if want := []string{"events.jsonl", "manifest.json", "manifest.json.p7s"}; !slices.Equal(names, want) {
			t.Fatalf("the export holds %v, want %v", names, want)
		}

		events := readFile(t, out, "events.jsonl")
		sum := sha256.Sum256(events)
		if len(m.Files) != 1 || m.Files[0].Name != "events.jsonl" || m.Files[0].SHA256 != hex.EncodeToString(sum[:]) || m.Files[0].Bytes != int64(len(events)) {
			t.Errorf("manifest files %+v; want events.jsonl with SHA-256 %x and %d bytes", m.Files, sum, len(events))
		}
		// The trail: the tenant, its first administrator, the invitation, the export itself.
		got := jsonLines(t, events)
		if len(got) != 4 || m.Events != 4 || m.Format != "jsonl" || m.Tenant.Name != "default" || !strings.HasPrefix(m.ExportedBy, "cli:") {
			t.Fatalf("%d events exported; manifest %+v", len(got), m)
		}
		last := got[len(got)-1]
		if last.Action != "audit.export" || m.ChainHead.Seq != last.Seq || m.ChainHead.Hash != hex.EncodeToString(last.Hash) {
			t.Errorf("the manifest's head %+v is not the export's own event %d (%s)", m.ChainHead, last.Seq, last.Action)
		}
		// The tenant had no checkpoint yet, so the export's event made the first one.
		if m.Checkpoint == nil || *m.Checkpoint != m.ChainHead {
			t.Errorf("manifest checkpoint %+v, want the chain head %+v", m.Checkpoint, m.ChainHead)
		}

		caPEM := s.caPEM(t)
		if err := opensslVerify(t, out, caPEM); err != nil {
			t.Fatalf("openssl refuses the export's signature: %v", err)
		}
		manifestPath := filepath.Join(out, "manifest.json")
		changed := bytes.Replace(readFile(t, manifestPath), []byte(`"events": 4`), []byte(`"events": 5`), 1)
		if err := os.WriteFile(manifestPath, changed, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := opensslVerify(t, out, caPEM); err == nil {
			t.Error("openssl accepts a manifest with a changed byte")
		}

		r := s.run(t, "audit", "verify", "--tenant", "default")
		r.wantCode(t, 0)
		if r.stdout != "default: intact, 4 events, 1 signed checkpoint\n" {
			t.Errorf("audit verify after the export printed %q", r.stdout)
		}
	})
}

func TestAuditExportAsCSV(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		s.platformsSetUp(t, "default")
		s.run(t, "invite", "create", "--tenant", "default", "--email", "anna@musterstadt.de", "--qr", "-").wantCode(t, 0)
		out, m := s.export(t, "--tenant", "default", "--format", "csv")
		rows, err := csv.NewReader(bytes.NewReader(readFile(t, out, "events.csv"))).ReadAll()
		if err != nil {
			t.Fatalf("events.csv is not CSV: %v", err)
		}
		if !slices.Equal(rows[0], audit.CSVHeader) || int64(len(rows)-1) != m.Events || m.Events != 4 || m.Format != "csv" {
			t.Fatalf("CSV header %v and %d rows for %d events", rows[0], len(rows)-1, m.Events)
		}
		for i, row := range rows[1:] {
			if row[1] != string(rune('1'+i)) || !json.Valid([]byte(row[6])) || len(row[8]) != 64 {
				t.Errorf("row %d: %v", i+1, row)
			}
		}
		// Details hold quotes and commas; they come back from the CSV unchanged.
		var details map[string]any
		if err := json.Unmarshal([]byte(rows[3][6]), &details); err != nil || details["platform"] != "any" || details["ownership"] != "personal" || len(details) != 4 {
			t.Errorf("the invitation's details from the CSV: %s (%v)", rows[3][6], err)
		}
		if err := opensslVerify(t, out, s.caPEM(t)); err != nil {
			t.Fatalf("openssl refuses the export's signature: %v", err)
		}
	})
}
