package store

import (
	"context"
	"errors"
	"fmt"
)

// Snapshot writes a consistent copy of a SQLite database to path, which must not exist:
// one transaction's view, taken while the server keeps running. PostgreSQL is backed up
// with its own tools (pg_dump).
func (s *Store) Snapshot(ctx context.Context, path string) error {
	if s.postgres {
		return errors.New("snapshot: a PostgreSQL database is backed up with pg_dump (see docs/deployment.md)")
	}
	if err := s.db.WithContext(ctx).Exec("VACUUM INTO ?", path).Error; err != nil {
		return fmt.Errorf("snapshot the database: %w", err)
	}
	return nil
}
