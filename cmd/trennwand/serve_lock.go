package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gofrs/flock"
)

// lockSQLite makes the server the only one on its SQLite database, as the data directory's
// lock does for the directory: a server with another data directory but the same SQLite
// file (--db sqlite:///…) is refused too. SQLite has one writer; replicas need PostgreSQL.
// Without SQLite it does nothing. The lock ends with the process, also when it is killed.
func lockSQLite(cfg config) (unlock func(), err error) {
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
