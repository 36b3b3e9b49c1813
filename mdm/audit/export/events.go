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

// eventsFile writes exported events to a new file while hashing what it writes.
type eventsFile struct {
	f     *os.File
	buf   *bufio.Writer
	sum   hash.Hash
	bytes int64
	write func(audit.Event) error
	flush func() error
}

// createEvents creates path, which must not exist, for events in the format. CSV starts
// with its header.
func createEvents(path string, format trail.AuditFormat) (*eventsFile, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	w := &eventsFile{f: f, buf: bufio.NewWriter(f), sum: sha256.New()}
	out := io.MultiWriter(w.buf, w.sum, (*countWriter)(&w.bytes))
	switch format {
	case trail.AuditCSV:
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
