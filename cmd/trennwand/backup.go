package main

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/trennwand/trennwand/pki"
)

// A backup is one file: age-encrypted (scrypt recipient whose passphrase is derived from
// the master key), holding a gzipped tar of a consistent SQLite snapshot, the server's TLS
// certificate and key, and a manifest. The master key is not in it: without the key the
// backup cannot be opened, and the key is kept apart from backups (see docs/deployment.md).

const (
	backupDB       = "trennwand.db"
	backupManifest = "manifest.json"
	// backupWorkFactor is scrypt's cost; low, because the passphrase is a 256-bit key, not
	// a word a person chose.
	backupWorkFactor = 10
)

// backupFiles are the files of the data directory that a backup carries beside the
// database.
var backupFiles = []string{"server.crt", "server.key"}

type backupInfo struct {
	Format    int       `json:"format"`
	CreatedAt time.Time `json:"created_at"`
	Schema    string    `json:"schema"`
	Files     []string  `json:"files"`
}

func backupPassphrase(key *pki.MasterKey) string {
	return hex.EncodeToString(key.DeriveKey("backup"))
}

func newBackupCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "backup",
		Short: "Write an encrypted backup of a SQLite installation (database, server certificate)",
		Long: `Write a backup of the installation to one file: a consistent snapshot of the SQLite
database (taken while the server runs), the server's TLS certificate and key, and a
manifest, encrypted with a key derived from the master key. The master key itself is not
in the backup: keep it apart, it is needed to restore.

PostgreSQL installations are backed up with pg_dump and the master key (docs/deployment.md).`,
		Example: `  trennwand backup --out /backup/trennwand-$(date +%F).age`,
		Args:    exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			out, _ := cmd.Flags().GetString("out")
			if out == "" {
				return usagef("--out is required")
			}
			if in.cfg.DB.Postgres {
				return usagef("this installation is on PostgreSQL: back it up with pg_dump and keep the master key (docs/deployment.md)")
			}
			info, err := writeBackup(ctx, in, out)
			if err != nil {
				return err
			}
			if in.cfg.JSON {
				return printJSON(cmd.OutOrStdout(), map[string]any{"file": out, "created_at": info.CreatedAt, "files": info.Files})
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "backup written to %s (%s)\n", out, info.Schema)
			return err
		}),
	}
	c.Flags().String("out", "", "file to write the backup to; it must not exist (required)")
	return c
}

// writeBackup writes the backup to out, which must not exist; nothing is left behind when
// it fails.
func writeBackup(ctx context.Context, in *installation, out string) (backupInfo, error) {
	schema, err := in.store.Schema(ctx)
	if err != nil {
		return backupInfo{}, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(out), ".trennwand-backup-")
	if err != nil {
		return backupInfo{}, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := in.store.Snapshot(ctx, filepath.Join(tmp, backupDB)); err != nil {
		return backupInfo{}, err
	}
	info := backupInfo{Format: 1, CreatedAt: time.Now().UTC(), Schema: schema.String(), Files: []string{backupDB}}
	for _, name := range backupFiles {
		if _, err := os.Stat(filepath.Join(in.cfg.DataDir, name)); err == nil {
			info.Files = append(info.Files, name)
		}
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return backupInfo{}, fmt.Errorf("backup: %w", err)
	}
	if err := encryptBackup(f, in, tmp, info); err != nil {
		f.Close()
		os.Remove(out)
		return backupInfo{}, err
	}
	if err := f.Close(); err != nil {
		os.Remove(out)
		return backupInfo{}, fmt.Errorf("backup: %w", err)
	}
	return info, nil
}

func encryptBackup(w io.Writer, in *installation, snapshotDir string, info backupInfo) error {
	recipient, err := age.NewScryptRecipient(backupPassphrase(in.key))
	if err != nil {
		return err
	}
	recipient.SetWorkFactor(backupWorkFactor)
	enc, err := age.Encrypt(w, recipient)
	if err != nil {
		return fmt.Errorf("backup: encrypt: %w", err)
	}
	gz := gzip.NewWriter(enc)
	tw := tar.NewWriter(gz)
	manifest, _ := json.MarshalIndent(info, "", "  ")
	if err := addTarFile(tw, backupManifest, manifest); err != nil {
		return err
	}
	for _, name := range info.Files {
		dir := in.cfg.DataDir
		if name == backupDB {
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

func newRestoreCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "restore",
		Short: "Restore a backup into an empty data directory",
		Long: `Restore a backup written by trennwand backup into the data directory (--data), which
must be empty or not exist. The master key of the backed-up installation is needed: set
TRENNWAND_MASTER_KEY, or put its key file master.key into the data directory first. A
backup that the key does not open, or that is damaged, leaves nothing behind. Then start
trennwand serve on the data directory.`,
		Example: `  install -m 600 master.key /srv/trennwand/data/master.key
  trennwand restore --data /srv/trennwand/data --in /backup/trennwand-2026-11-27.age`,
		Args: exactArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			in, _ := cmd.Flags().GetString("in")
			if in == "" {
				return usagef("--in is required")
			}
			if cfg.DB.Postgres {
				return usagef("restore writes a SQLite installation; restore a PostgreSQL installation with pg_restore (docs/deployment.md)")
			}
			return restoreBackup(cfg, in, cfg.logger(cmd.ErrOrStderr()))
		},
	}
	c.Flags().String("in", "", "backup file to restore (required)")
	return c
}

// restoreBackup unpacks the backup into the empty data directory.
func restoreBackup(cfg config, backup string, log *slog.Logger) error {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	entries, err := os.ReadDir(cfg.DataDir)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	for _, e := range entries {
		if e.Name() != "master.key" {
			return usagef("the data directory %s is not empty (it holds %s): restore into an empty one", cfg.DataDir, e.Name())
		}
	}
	key, err := loadMasterKey(cfg, log, false)
	if err != nil {
		return usageError{fmt.Errorf("restore needs the master key of the backed-up installation: %w", err)}
	}
	f, err := os.Open(backup)
	if err != nil {
		return usageError{fmt.Errorf("--in: %w", err)}
	}
	defer f.Close()
	written, err := unpackBackup(f, key, cfg.DataDir)
	if err != nil {
		for _, name := range written {
			os.Remove(filepath.Join(cfg.DataDir, name))
		}
		return err
	}
	return nil
}

// unpackBackup decrypts and writes the backup's files into dir and returns their names.
func unpackBackup(r io.Reader, key *pki.MasterKey, dir string) ([]string, error) {
	identity, err := age.NewScryptIdentity(backupPassphrase(key))
	if err != nil {
		return nil, err
	}
	identity.SetMaxWorkFactor(backupWorkFactor)
	dec, err := age.Decrypt(r, identity)
	if err != nil {
		return nil, fmt.Errorf("restore: the backup cannot be opened with this master key, or it is not a trennwand backup: %w", err)
	}
	gz, err := gzip.NewReader(dec)
	if err != nil {
		return nil, fmt.Errorf("restore: the backup is damaged: %w", err)
	}
	tr := tar.NewReader(gz)
	allowed := map[string]bool{backupManifest: true, backupDB: true}
	for _, n := range backupFiles {
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
		if h.Name == backupManifest {
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
		sawDB = sawDB || h.Name == backupDB
	}
	if !sawDB {
		return written, fmt.Errorf("restore: the backup holds no database")
	}
	return written, nil
}
