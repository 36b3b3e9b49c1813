package export

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/trail"
)

// A download from the dashboard holds what a directory export holds: the events, the
// manifest that names them with their SHA-256 and the filters, and its signature.
func TestAnArchiveHoldsTheSameFilesAsADirectory(t *testing.T) {
	x := trail.AuditExport{Tenant: mdm.Tenant{ID: "t1", Name: "musterstadt"}, Format: trail.AuditCSV,
		Filter: mdm.AuditFilter{From: at, Actor: "admin:a1", Actions: []audit.Action{audit.DeviceView}}}
	var out bytes.Buffer
	m, err := WriteArchive(&out, x, "admin:a1", signer{}, run)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(out.Bytes()), int64(out.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], _ = io.ReadAll(r)
	}
	if len(files) != 3 {
		t.Fatalf("the archive holds %d files, want %v", len(files), Files(x.Format))
	}
	events := files[EventsFile(x.Format)]
	sum := sha256.Sum256(events)
	if m.Files[0].SHA256 != hex.EncodeToString(sum[:]) || m.Events != 2 {
		t.Errorf("manifest %+v does not describe %d bytes of events", m, len(events))
	}
	var back Manifest
	if err := json.Unmarshal(files[ManifestFile], &back); err != nil || back.Actor != "admin:a1" || len(back.Actions) != 1 || back.TimeRange.From == nil {
		t.Errorf("manifest.json does not state the filters: %s, %v", files[ManifestFile], err)
	}
	if string(files[SignatureFile]) != "signed:"+string(files[ManifestFile]) {
		t.Errorf("the signature is not the manifest's")
	}
}

// An export that fails before it has an event to write leaves the answer untouched, so
// that the dashboard can still answer with its problem page.
func TestAFailedArchiveWritesNothing(t *testing.T) {
	var out bytes.Buffer
	_, err := WriteArchive(&out, trail.AuditExport{Format: trail.AuditJSONLines}, "admin:a1", signer{},
		func(func(audit.Event) error) (trail.AuditExported, error) {
			return trail.AuditExported{}, errors.New("database gone")
		})
	if err == nil || out.Len() != 0 {
		t.Fatalf("%v, %d bytes written", err, out.Len())
	}
}
