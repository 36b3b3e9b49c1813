package export

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

	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/trail"
)

// An export writes each event in the audit trail's one shape (audit.Event's JSON, or its
// CSV record): every field, the hashes in hex, the time and the details exactly as the
// hash covers them, so that a reader can recompute the chain from the file alone.

// eventsWriter writes exported events in a format while hashing what it writes.
type eventsWriter struct {
	buf   *bufio.Writer
	sum   hash.Hash
	bytes int64
	write func(audit.Event) error
	flush func() error
}

// newEventsWriter writes events in the format to out. CSV starts with its header.
func newEventsWriter(out io.Writer, format trail.AuditFormat) (*eventsWriter, error) {
	w := &eventsWriter{buf: bufio.NewWriter(out), sum: sha256.New()}
	all := io.MultiWriter(w.buf, w.sum, (*countWriter)(&w.bytes))
	switch format {
	case trail.AuditCSV:
		cw := csv.NewWriter(all)
		w.write = func(e audit.Event) error { return cw.Write(e.CSV()) }
		w.flush = func() error { cw.Flush(); return cw.Error() }
		if err := cw.Write(audit.CSVHeader); err != nil {
			return nil, err
		}
	default:
		// Details are written byte for byte as stored: no HTML escaping that would change them.
		enc := json.NewEncoder(all)
		enc.SetEscapeHTML(false)
		w.write = func(e audit.Event) error { return enc.Encode(e) }
		w.flush = func() error { return nil }
	}
	return w, nil
}

// Write appends one event.
func (w *eventsWriter) Write(e audit.Event) error { return w.write(e) }

// Flush writes what is buffered.
func (w *eventsWriter) Flush() error { return errors.Join(w.flush(), w.buf.Flush()) }

// Sum returns the SHA-256 of what was written, in hex.
func (w *eventsWriter) Sum() string { return hex.EncodeToString(w.sum.Sum(nil)) }

// Bytes returns how many bytes were written.
func (w *eventsWriter) Bytes() int64 { return w.bytes }

// eventsFile writes exported events to a new file.
type eventsFile struct {
	*eventsWriter
	f *os.File
}

// createEvents creates path, which must not exist, for events in the format.
func createEvents(path string, format trail.AuditFormat) (*eventsFile, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	w, err := newEventsWriter(f, format)
	if err != nil {
		return nil, errors.Join(err, f.Close())
	}
	return &eventsFile{eventsWriter: w, f: f}, nil
}

// Close writes what is buffered and closes the file.
func (w *eventsFile) Close() error {
	return errors.Join(w.Flush(), w.f.Sync(), w.f.Close())
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}

// WriteEvents writes the events of an export's run to out in the export's format, without
// a manifest: the API's unsigned export. It returns what the run exported.
func WriteEvents(out io.Writer, x trail.AuditExport, run Run) (trail.AuditExported, error) {
	w, err := newEventsWriter(out, x.Format)
	if err != nil {
		return trail.AuditExported{}, err
	}
	done, err := run(w.Write)
	if err != nil {
		return done, err
	}
	return done, w.Flush()
}
