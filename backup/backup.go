// Package backup is the backup file of a SQLite installation: one age-encrypted file
// (scrypt recipient whose passphrase is derived from the master key) holding a gzipped
// tar of a consistent snapshot of the database, the server's TLS certificate and key, and
// a manifest. The master key is not in it: without the key the backup cannot be opened,
// and the key is kept apart from backups (see docs/deployment.md).
package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"filippo.io/age"
)

const (
	// dbFile is the database snapshot's name in the backup and in the data directory.
	dbFile       = "trennwand.db"
	manifestFile = "manifest.json"
	// workFactor is scrypt's cost; low, because the passphrase is a 256-bit key, not a
	// word a person chose.
	workFactor = 10
)

// dataFiles are the files of the data directory that a backup carries beside the
// database.
var dataFiles = []string{"server.crt", "server.key"}

// Info is the backup's manifest.
type Info struct {
	Format    int       `json:"format"`
	CreatedAt time.Time `json:"created_at"`
	Schema    string    `json:"schema"`
	Files     []string  `json:"files"`
}

// Key is the installation's master key, from which the backup's passphrase is derived.
type Key interface {
	DeriveKey(purpose string) []byte
}

// Database takes a consistent snapshot of the installation's database into a new file.
type Database interface {
	Snapshot(ctx context.Context, path string) error
}

// Installation is what a backup is taken of.
type Installation struct {
	DB      Database
	Schema  string // the database's schema, as the manifest records it
	DataDir string // where the server's certificate and key are
	Key     Key
}

func passphrase(key Key) string {
	return hex.EncodeToString(key.DeriveKey("backup"))
}

// Write writes the backup of in to out, which must not exist; nothing is left behind when
// it fails.
func Write(ctx context.Context, in Installation, out string) (Info, error) {
	tmp, err := os.MkdirTemp(filepath.Dir(out), ".trennwand-backup-")
	if err != nil {
		return Info{}, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := in.DB.Snapshot(ctx, filepath.Join(tmp, dbFile)); err != nil {
		return Info{}, err
	}
	info := Info{Format: 1, CreatedAt: time.Now().UTC(), Schema: in.Schema, Files: []string{dbFile}}
	for _, name := range dataFiles {
		if _, err := os.Stat(filepath.Join(in.DataDir, name)); err == nil {
			info.Files = append(info.Files, name)
		}
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return Info{}, fmt.Errorf("backup: %w", err)
	}
	if err := encrypt(f, in, tmp, info); err != nil {
		f.Close()
		os.Remove(out)
		return Info{}, err
	}
	if err := f.Close(); err != nil {
		os.Remove(out)
		return Info{}, fmt.Errorf("backup: %w", err)
	}
	return info, nil
}

func encrypt(w io.Writer, in Installation, snapshotDir string, info Info) error {
	recipient, err := age.NewScryptRecipient(passphrase(in.Key))
	if err != nil {
		return err
	}
	recipient.SetWorkFactor(workFactor)
	enc, err := age.Encrypt(w, recipient)
	if err != nil {
		return fmt.Errorf("backup: encrypt: %w", err)
	}
	gz := gzip.NewWriter(enc)
	tw := tar.NewWriter(gz)
	manifest, _ := json.MarshalIndent(info, "", "  ")
	if err := addTarFile(tw, manifestFile, manifest); err != nil {
		return err
	}
	for _, name := range info.Files {
		dir := in.DataDir
		if name == dbFile {
			dir = snapshotDir
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		if err := addTarFile(tw, name, b); err != nil {
			return err
		}
	}
	for _, c := range []io.Closer{tw, gz, enc} {
		if err := c.Close(); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
	}
	return nil
}

func addTarFile(tw *tar.Writer, name string, b []byte) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(b)), ModTime: time.Now()}); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	_, err := tw.Write(b)
	return err
}
