package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/pki"
)

// installation is an opened trennwand installation: its database and master key, and the
// domain service on them.
type installation struct {
	cfg   config
	log   *slog.Logger
	store *store.Store
	svc   *mdm.Service
}

func (in *installation) Close() error { return in.store.Close() }

// openForCLI opens an installation that `trennwand serve` has created before. It changes
// nothing on disk when there is none, and refuses a database whose schema does not match
// this program, so that only `serve` creates and upgrades the schema.
func openForCLI(ctx context.Context, cfg config, log *slog.Logger) (*installation, error) {
	if !cfg.DB.Postgres {
		if _, err := os.Stat(cfg.DB.SQLitePath); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no database at %s: start `trennwand serve` once with the same --data to create the installation", cfg.DB.SQLitePath)
		}
	}
	st, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	schema, err := st.Schema(ctx)
	if err == nil && !schema.UpToDate() {
		err = fmt.Errorf("the database %s is not at the schema this program expects (%s): start `trennwand serve` of this version once to create or upgrade it", cfg.DB, schema)
	}
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	key, err := loadMasterKey(cfg, log, false)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	svc := mdm.NewService(st, key)
	if err := svc.CheckSealer(ctx, false); err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("%w (check TRENNWAND_MASTER_KEY or the key file %s)", err, cfg.masterKeyFile())
	}
	return &installation{cfg: cfg, log: log, store: st, svc: svc}, nil
}

// masterKeyFile is where the master key is kept when TRENNWAND_MASTER_KEY is not set.
func (c config) masterKeyFile() string { return filepath.Join(c.DataDir, "master.key") }

// loadMasterKey returns the master key from TRENNWAND_MASTER_KEY, or from the key file in
// the data directory, which is created when create is set and it does not exist.
func loadMasterKey(cfg config, log *slog.Logger, create bool) (*pki.MasterKey, error) {
	if cfg.MasterKey != nil {
		return cfg.MasterKey, nil
	}
	path := cfg.masterKeyFile()
	if !create {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("no master key: set TRENNWAND_MASTER_KEY or keep the key file %s of this installation", path)
		}
	}
	key, created, err := pki.LoadOrCreateMasterKeyFile(path)
	if err != nil {
		return nil, err
	}
	if created {
		log.Warn("created a new master key file; keep a copy of it apart from the database backups, without it sealed secrets cannot be opened", "path", path)
	}
	if info, err := os.Stat(path); err == nil && info.Mode().Perm()&0o077 != 0 {
		log.Warn("the master key file can be read by other users; make it mode 0600", "path", path, "mode", info.Mode().Perm().String())
	}
	if !cfg.DB.Postgres && filepath.Dir(cfg.DB.SQLitePath) == filepath.Dir(mustAbs(path)) {
		log.Warn("the master key file lies beside the database: whoever copies the data directory gets both; set TRENNWAND_MASTER_KEY from a secret store instead", "path", path)
	}
	return key, nil
}

func mustAbs(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	return abs
}

// cliActor names the operating-system user for the audit trail.
func cliActor() string {
	name := ""
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return mdm.CLIActor(name)
}
