package installation

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/trennwand/trennwand/pki"
)

// LoadMasterKey returns the master key from TRENNWAND_MASTER_KEY, or from the key file in
// the data directory, which is created when create is set and it does not exist.
func LoadMasterKey(cfg Config, log *slog.Logger, create bool) (*pki.MasterKey, error) {
	if cfg.MasterKey != nil {
		return cfg.MasterKey, nil
	}
	path := cfg.MasterKeyFile()
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
	// Said by the server at each start; every command line saying it again would be noise.
	if create && !cfg.DB.Postgres && filepath.Dir(cfg.DB.SQLitePath) == filepath.Dir(absPath(path)) {
		log.Warn("the master key file lies beside the database: whoever copies the data directory gets both; set TRENNWAND_MASTER_KEY from a secret store instead", "path", path)
	}
	return key, nil
}

// absPath is path made absolute, or path itself when that fails.
func absPath(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	return abs
}
