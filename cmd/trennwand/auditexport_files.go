package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash"
	"io"
	"os"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// An export writes each event in the audit trail's one shape (audit.Event's JSON, or its
// CSV record): every field, the hashes in hex, the time and the details exactly as the
// hash covers them, so that a reader can recompute the chain from the file alone.

// eventsFile writes exported events to a new file while hashing what it writes.
type eventsFile struct {
	f     *os.File
	buf   *bufio.Writer
	sum   hash.Hash
	bytes int64
	write func(audit.Event) error
	flush func() error
}

// createEventsFile creates path, which must not exist, for events in the format. CSV
// starts with its header.
func createEventsFile(path string, format mdm.AuditFormat) (*eventsFile, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	w := &eventsFile{f: f, buf: bufio.NewWriter(f), sum: sha256.New()}
	out := io.MultiWriter(w.buf, w.sum, (*countWriter)(&w.bytes))
	switch format {
	case mdm.AuditCSV:
		cw := csv.NewWriter(out)
		w.write = func(e audit.Event) error { return cw.Write(e.CSV()) }
		w.flush = func() error { cw.Flush(); return cw.Error() }
		err = cw.Write(audit.CSVHeader)
	default:
		// Details are written byte for byte as stored: no HTML escaping that would change them.
		enc := json.NewEncoder(out)
		enc.SetEscapeHTML(false)
		w.write = func(e audit.Event) error { return enc.Encode(e) }
		w.flush = func() error { return nil }
	}
	if err != nil {
		return nil, errors.Join(err, f.Close())
	}
	return w, nil
}

// Write appends one event.
func (w *eventsFile) Write(e audit.Event) error { return w.write(e) }

// Close writes what is buffered and closes the file.
func (w *eventsFile) Close() error {
	return errors.Join(w.flush(), w.buf.Flush(), w.f.Sync(), w.f.Close())
}

// Sum returns the SHA-256 of what was written, in hex.
func (w *eventsFile) Sum() string { return hex.EncodeToString(w.sum.Sum(nil)) }

// Bytes returns how many bytes were written.
func (w *eventsFile) Bytes() int64 { return w.bytes }

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}

// exportManifest describes an export. It is signed, so it says everything a reader must be
// able to rely on: what the files are, what part of which trail they hold, and up to where
// the trail stood when they were written.
type exportManifest struct {
	Version    int               `json:"manifest_version"`
	Format     mdm.AuditFormat   `json:"format"`
	Tenant     manifestTenant    `json:"tenant"`
	ExportedAt time.Time         `json:"exported_at"`
	ExportedBy string            `json:"exported_by"`
	TimeRange  manifestRange     `json:"time_range"`
	Employee   *manifestEmployee `json:"employee,omitempty"`
	Events     int64             `json:"events"`
	Files      []exportedFile    `json:"files"`
	ChainHead  manifestPosition  `json:"chain_head"`
	Checkpoint *manifestPosition `json:"checkpoint"`
}

type manifestTenant struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// manifestRange is the time range the export asked for; null ends are open.
type manifestRange struct {
	From *time.Time `json:"from"`
	To   *time.Time `json:"to"`
}

type manifestEmployee struct {
	ID    string `json:"id"`
	Email string `json:"email"`
}

type exportedFile struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// manifestPosition is a place in the chain: the chain head the export covers (its own
// event), or the newest signed checkpoint at or before it.
type manifestPosition struct {
	Seq  int64     `json:"seq"`
	Hash string    `json:"hash"`
	At   time.Time `json:"at"`
}

func newManifest(x mdm.AuditExport, done mdm.AuditExported, by string, files ...exportedFile) exportManifest {
	m := exportManifest{
		Version: 1, Format: x.Format, Tenant: manifestTenant{ID: x.Tenant.ID, Name: x.Tenant.Name},
		ExportedAt: done.Event.At, ExportedBy: by, Events: done.Events, Files: files,
		ChainHead: manifestPosition{Seq: done.Event.Seq, Hash: hex.EncodeToString(done.Event.Hash), At: done.Event.At},
	}
	if !x.Filter.From.IsZero() {
		m.TimeRange.From = &x.Filter.From
	}
	if !x.Filter.To.IsZero() {
		m.TimeRange.To = &x.Filter.To
	}
	if x.Employee != nil {
		m.Employee = &manifestEmployee{ID: x.Employee.ID, Email: x.Employee.Email}
	}
	if cp := done.Checkpoint; cp != nil {
		m.Checkpoint = &manifestPosition{Seq: cp.Seq, Hash: hex.EncodeToString(cp.Hash), At: cp.At}
	}
	return m
}

// encode returns the manifest as the bytes that are written and signed.
func (m exportManifest) encode() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	return append(b, '\n'), err
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
