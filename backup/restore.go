package backup

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"filippo.io/age"
)

// Restore decrypts the backup read from r with the key and writes its files into dir,
// none of which may exist there yet. A backup that the key does not open, or that is
// damaged, leaves nothing behind.
func Restore(r io.Reader, key Key, dir string) error {
	written, err := unpack(r, key, dir)
	if err != nil {
		for _, name := range written {
			os.Remove(filepath.Join(dir, name))
		}
	}
	return err
}

// unpack writes the backup's files into dir and returns their names.
func unpack(r io.Reader, key Key, dir string) ([]string, error) {
	identity, err := age.NewScryptIdentity(passphrase(key))
	if err != nil {
		return nil, err
	}
	identity.SetMaxWorkFactor(workFactor)
	dec, err := age.Decrypt(r, identity)
	if err != nil {
		return nil, fmt.Errorf("restore: the backup cannot be opened with this master key, or it is not a trennwand backup: %w", err)
	}
	gz, err := gzip.NewReader(dec)
	if err != nil {
		return nil, fmt.Errorf("restore: the backup is damaged: %w", err)
	}
	tr := tar.NewReader(gz)
	allowed := map[string]bool{manifestFile: true, dbFile: true}
	for _, n := range dataFiles {
		allowed[n] = true
	}
	var written []string
	sawDB := false
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return written, fmt.Errorf("restore: the backup is damaged: %w", err)
		}
		if !allowed[h.Name] || h.Typeflag != tar.TypeReg {
			return written, fmt.Errorf("restore: the backup holds an unexpected entry %q", h.Name)
		}
		if h.Name == manifestFile {
			continue
		}
		out, err := os.OpenFile(filepath.Join(dir, h.Name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return written, fmt.Errorf("restore: %w", err)
		}
		written = append(written, h.Name)
		_, err = io.Copy(out, tr)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return written, fmt.Errorf("restore: the backup is damaged: %w", err)
		}
		sawDB = sawDB || h.Name == dbFile
	}
	if !sawDB {
		return written, fmt.Errorf("restore: the backup holds no database")
	}
	return written, nil
}
