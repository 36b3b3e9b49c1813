package export

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/trail"
)

// signer signs with a fixed prefix, or fails.
type signer struct{ err error }

func (s signer) Sign(content []byte) ([]byte, error) {
	return append([]byte("signed:"), content...), s.err
}

var at = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// run hands over two events, the second of them the export's own, after a checkpoint at
// the first.
func run(write func(audit.Event) error) (trail.AuditExported, error) {
	events := []audit.Event{
		{TenantID: "t1", Seq: 1, At: at, Actor: "system", Action: "tenant.create", Subject: "tenant:t1", Details: `{"name":"<musterstadt>"}`, Hash: []byte{1}},
		{TenantID: "t1", Seq: 2, At: at.Add(time.Minute), Actor: "cli:root", Action: "audit.export", Subject: "tenant:t1", Details: audit.NoDetails, PrevHash: []byte{1}, Hash: []byte{2}},
	}
	for _, e := range events {
		if err := write(e); err != nil {
			return trail.AuditExported{}, err
		}
	}
	return trail.AuditExported{Event: events[1], Events: 2, Checkpoint: &audit.Checkpoint{Seq: 1, Hash: []byte{1}, At: at}}, nil
}

func TestAnExportHoldsItsEventsAndASignedManifestThatNamesThem(t *testing.T) {
	for _, format := range []trail.AuditFormat{trail.AuditJSONLines, trail.AuditCSV} {
		t.Run(string(format), func(t *testing.T) {
			dir := t.TempDir()
			x := trail.AuditExport{Tenant: mdm.Tenant{ID: "t1", Name: "musterstadt"}, Format: format, Filter: mdm.AuditFilter{From: at}}
			m, err := Write(dir, x, "cli:root", signer{}, run)
			if err != nil {
				t.Fatal(err)
			}
			events, err := os.ReadFile(filepath.Join(dir, EventsFile(format)))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(events)
			if len(m.Files) != 1 || m.Files[0].SHA256 != hex.EncodeToString(sum[:]) || m.Files[0].Bytes != int64(len(events)) {
				t.Errorf("manifest files %+v do not describe the events file (%d bytes)", m.Files, len(events))
			}
			lines := strings.Split(strings.TrimSpace(string(events)), "\n")
			if want := map[trail.AuditFormat]int{trail.AuditJSONLines: 2, trail.AuditCSV: 3}[format]; len(lines) != want {
				t.Errorf("%d lines, want %d:\n%s", len(lines), want, events)
			}
			if format == trail.AuditJSONLines && !strings.Contains(lines[0], `<musterstadt>`) {
				t.Errorf("the details were escaped, so they no longer match their hash: %s", lines[0])
			}
			if m.ChainHead.Seq != 2 || m.ChainHead.Hash != "02" || m.Checkpoint == nil || m.Checkpoint.Seq != 1 ||
				m.Events != 2 || m.TimeRange.From == nil || m.TimeRange.To != nil || m.ExportedBy != "cli:root" {
				t.Errorf("manifest %+v", m)
			}
			manifest, err := os.ReadFile(filepath.Join(dir, ManifestFile))
			if err != nil {
				t.Fatal(err)
			}
			var back Manifest
			if err := json.Unmarshal(manifest, &back); err != nil || back.Tenant.Name != "musterstadt" {
				t.Errorf("manifest.json %s: %v", manifest, err)
			}
			if sig, err := os.ReadFile(filepath.Join(dir, SignatureFile)); err != nil || string(sig) != "signed:"+string(manifest) {
				t.Errorf("the signature is not the manifest's: %v", err)
			}
		})
	}
}

func TestAFailedExportLeavesNoFiles(t *testing.T) {
	x := trail.AuditExport{Tenant: mdm.Tenant{ID: "t1"}, Format: trail.AuditJSONLines}
	for name, c := range map[string]struct {
		s   Signer
		run Run
	}{
		"signing fails": {signer{err: errors.New("no key")}, run},
		"reading fails": {signer{}, func(func(audit.Event) error) (trail.AuditExported, error) {
			return trail.AuditExported{}, errors.New("database gone")
		}},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := Write(dir, x, "cli:root", c.s, c.run); err == nil {
				t.Fatal("no error")
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("left %v", entries)
			}
		})
	}
}
