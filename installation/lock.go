package installation

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gofrs/flock"
)

// Lock makes the caller the only server on the data directory, which it creates when
// missing, and on the SQLite database: a server with another data directory but the same
// SQLite file (--db sqlite:///…) is refused too, as SQLite has one writer and replicas need
// PostgreSQL. The locks end with unlock, or with the process, also when it is killed.
func Lock(cfg Config) (unlock func(), err error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	dir := flock.New(filepath.Join(cfg.DataDir, "trennwand.lock"))
	locked, err := dir.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock data directory: %w", err)
	}
	if !locked {
		return nil, fmt.Errorf("another trennwand server is already running on the data directory %s; two servers on one data directory would corrupt it (run replicas on PostgreSQL, each with its own data directory)", cfg.DataDir)
	}
	unlockDB, err := lockSQLite(cfg)
	if err != nil {
		_ = dir.Unlock()
		return nil, err
	}
	return func() {
		unlockDB()
		_ = dir.Unlock()
	}, nil
}

// lockSQLite locks the SQLite database beside its file; without SQLite it does nothing.
func lockSQLite(cfg Config) (unlock func(), err error) {
	if cfg.DB.Postgres {
		return func() {}, nil
	}
	if err := os.MkdirAll(filepath.Dir(cfg.DB.SQLitePath), 0o700); err != nil {
		return nil, fmt.Errorf("create the database's directory: %w", err)
	}
	lock := flock.New(cfg.DB.SQLitePath + ".serve-lock")
	locked, err := lock.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock the SQLite database: %w", err)
	}
	if !locked {
		return nil, fmt.Errorf("another trennwand server is already running on the SQLite database %s; SQLite takes one server only (run replicas on PostgreSQL)", cfg.DB.SQLitePath)
	}
	return func() { _ = lock.Unlock() }, nil
}
