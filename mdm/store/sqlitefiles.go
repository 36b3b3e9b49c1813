package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// privateSQLiteFiles makes the database file and its write-ahead log and shared-memory
// index readable and writable by their owner only, whatever the directory's mode or the
// umask. SQLite creates a new database 0644 less the umask, and gives the -wal and -shm
// files the database file's mode; so the database is created 0600 before SQLite opens
// it, and the files of an installation made before are narrowed to 0600.
func privateSQLiteFiles(path string) error {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open database file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("open database file: %w", err)
	}
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		info, err := os.Stat(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("database file: %w", err)
		}
		if info.Mode().Perm() != 0o600 {
			if err := os.Chmod(name, 0o600); err != nil {
				return fmt.Errorf("make the database file %s private (mode 0600): %w", name, err)
			}
		}
	}
	return nil
}
