// Package export is the file format of an audit export: a directory with the events
// (events.jsonl, JSON Lines in the audit trail's one shape, or events.csv), manifest.json
// that says what the files are and what part of which trail they hold, and
// manifest.json.p7s, the manifest's detached CMS signature. A reader can check the
// signature with openssl alone (VerifyCommand) and each file against its SHA-256.
package export

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/trail"
)

// The files of an export beside the events file, which is named by its format.
const (
	ManifestFile  = "manifest.json"
	SignatureFile = ManifestFile + ".p7s"
)

// VerifyCommand is how a data-protection officer checks an export's signature with nothing
// but openssl and the CA certificates that /pki/ca.pem serves. -binary keeps openssl from
// rewriting line ends before it hashes; -purpose any because the signing certificate's
// only usage, document signing (RFC 9336), is not one that openssl knows.
const VerifyCommand = "openssl cms -verify -binary -inform DER -in manifest.json.p7s -content manifest.json -CAfile ca.pem -purpose any -out /dev/null"

// EventsFile is the name of the events file of the format: events.jsonl, events.csv.
func EventsFile(format trail.AuditFormat) string { return "events." + string(format) }

// Files are the names of the files an export of the format writes.
func Files(format trail.AuditFormat) []string {
	return []string{EventsFile(format), ManifestFile, SignatureFile}
}

// Signer makes the detached CMS signature (DER) of the manifest.
type Signer interface {
	Sign(content []byte) ([]byte, error)
}

// Run streams the export's events to write and returns what the export covered
// (trail.Service.ExportAudit does).
type Run func(write func(audit.Event) error) (trail.AuditExported, error)

// Write writes the export x, made by `by`, into dir, which must exist and must not hold
// the export's files: the events that run hands over, the manifest and its signature by
// signer. When it fails it removes what it wrote.
func Write(dir string, x trail.AuditExport, by string, signer Signer, run Run) (m Manifest, err error) {
	eventsFile := EventsFile(x.Format)
	defer func() {
		if err != nil {
			for _, name := range Files(x.Format) {
				_ = os.Remove(filepath.Join(dir, name))
			}
		}
	}()
	w, err := createEvents(filepath.Join(dir, eventsFile), x.Format)
	if err != nil {
		return Manifest{}, err
	}
	done, err := run(w.Write)
	if err = errors.Join(err, w.Close()); err != nil {
		return Manifest{}, err
	}
	m, manifest, sig, err := signedManifest(x, done, by, signer, w.eventsWriter)
	if err != nil {
		return Manifest{}, err
	}
	if err := writeNewFile(filepath.Join(dir, ManifestFile), manifest); err != nil {
		return Manifest{}, err
	}
	if err := writeNewFile(filepath.Join(dir, SignatureFile), sig); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

// signedManifest makes the manifest of an export whose events w wrote, and signs it: the
// manifest, its bytes as written and signed, and the signature.
func signedManifest(x trail.AuditExport, done trail.AuditExported, by string, signer Signer, w *eventsWriter) (Manifest, []byte, []byte, error) {
	m := newManifest(x, done, by, File{Name: EventsFile(x.Format), SHA256: w.Sum(), Bytes: w.Bytes()})
	manifest, err := m.encode()
	if err != nil {
		return Manifest{}, nil, nil, err
	}
	sig, err := signer.Sign(manifest)
	if err != nil {
		return Manifest{}, nil, nil, fmt.Errorf("sign the manifest: %w", err)
	}
	return m, manifest, sig, nil
}

// writeNewFile writes data to path, which must not exist, readable by the owner only:
// audit events are personal data.
func writeNewFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	return errors.Join(err, f.Sync(), f.Close())
}
