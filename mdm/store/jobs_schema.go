package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river/rivermigrate"
)

// jobSchemaName names the job queue's tables in schema reports.
const jobSchemaName = "jobs"

// jobMigrationLock is the PostgreSQL advisory lock held while the queue's tables are
// migrated, so that replicas starting together apply each version once.
const jobMigrationLock = 0x7472_6a6f // "trjo"

func (s *Store) jobMigrator() (*rivermigrate.Migrator[*sql.Tx], error) {
	m, err := rivermigrate.New(s.jobDriver, &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, fmt.Errorf("job queue migrations: %w", err)
	}
	return m, nil
}

// migrateJobs brings the queue's tables to the version this program knows.
func (s *Store) migrateJobs(ctx context.Context, log *slog.Logger) error {
	m, err := s.jobMigrator()
	if err != nil {
		return err
	}
	part, err := s.jobSchema(ctx)
	if err != nil {
		return err
	}
	if part.Current > part.Latest {
		return fmt.Errorf("the %s schema is at version %d, newer than this program knows (%d): run a newer trennwand", jobSchemaName, part.Current, part.Latest)
	}
	// Each version runs in its own transaction (PostgreSQL cannot use an enum value in
	// the transaction that adds it); a session lock keeps replicas from racing.
	if s.postgres {
		unlock, err := s.sessionLock(ctx, jobMigrationLock)
		if err != nil {
			return fmt.Errorf("apply %s migrations: %w", jobSchemaName, err)
		}
		defer unlock()
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("apply %s migrations: %w", jobSchemaName, err)
	}
	if log != nil && len(res.Versions) > 0 {
		log.Info("job queue schema migrated", "versions", len(res.Versions))
	}
	return nil
}

// sessionLock holds a PostgreSQL advisory lock on a connection of its own until unlock.
func (s *Store) sessionLock(ctx context.Context, key int64) (unlock func(), err error) {
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("lock: %w", err)
	}
	return func() {
		_, _ = conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", key)
		_ = conn.Close()
	}, nil
}

// jobSchema reports the queue's schema version without writing to the database.
func (s *Store) jobSchema(ctx context.Context) (SchemaPart, error) {
	m, err := s.jobMigrator()
	if err != nil {
		return SchemaPart{}, err
	}
	all := m.AllVersions()
	part := SchemaPart{Name: jobSchemaName, Latest: int64(all[len(all)-1].Version)}
	if !s.db.WithContext(ctx).Migrator().HasTable("river_migration") {
		return part, nil
	}
	existing, err := m.ExistingVersions(ctx)
	if err != nil {
		return SchemaPart{}, fmt.Errorf("read %s schema version: %w", jobSchemaName, err)
	}
	for _, v := range existing {
		part.Current = max(part.Current, int64(v.Version))
	}
	return part, nil
}
