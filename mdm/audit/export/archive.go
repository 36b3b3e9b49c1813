package export

import (
	"archive/zip"
	"fmt"
	"io"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/trail"
)

// ArchiveName is the file name of an export as one download: the tenant's name, the
// format and the time of the export, in letters, digits and dashes.
func ArchiveName(x trail.AuditExport, at time.Time) string {
	return fmt.Sprintf("audit-%s-%s-%s.zip", x.Tenant.Name, x.Format, at.UTC().Format("20060102-150405"))
}

// WriteArchive writes the export x, made by `by`, as one ZIP archive to out: the same
// three files a directory export holds (the events, the manifest, its signature), so
// that a download from the dashboard is checked exactly as an export from the command
// line. Nothing is written to out before run has recorded the export and handed over its
// first event, or has ended; a failure before then leaves out untouched.
func WriteArchive(out io.Writer, x trail.AuditExport, by string, signer Signer, run Run) (Manifest, error) {
	zw := zip.NewWriter(out)
	var events *eventsWriter
	open := func() error {
		if events != nil {
			return nil
		}
		f, err := zw.Create(EventsFile(x.Format))
		if err != nil {
			return err
		}
		events, err = newEventsWriter(f, x.Format)
		return err
	}
	done, err := run(func(e audit.Event) error {
		if err := open(); err != nil {
			return err
		}
		return events.Write(e)
	})
	if err != nil {
		return Manifest{}, err
	}
	if err := open(); err != nil {
		return Manifest{}, err
	}
	if err := events.Flush(); err != nil {
		return Manifest{}, err
	}
	m, manifest, sig, err := signedManifest(x, done, by, signer, events)
	if err != nil {
		return Manifest{}, err
	}
	for _, file := range []struct {
		name string
		data []byte
	}{{ManifestFile, manifest}, {SignatureFile, sig}} {
		f, err := zw.Create(file.name)
		if err != nil {
			return Manifest{}, err
		}
		if _, err := f.Write(file.data); err != nil {
			return Manifest{}, err
		}
	}
	return m, zw.Close()
}
