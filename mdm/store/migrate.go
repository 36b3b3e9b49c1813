package store

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"strconv"
	"strings"
	"text/template"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// dialectTypes fill the few places where SQLite and PostgreSQL name a type differently.
// Everything else in a migration is SQL that both understand.
type dialectTypes struct {
	Postgres bool
	Time     string // a point in time
	Bytes    string // a byte string
}

var (
	sqliteTypes   = dialectTypes{Time: "TIMESTAMP", Bytes: "BLOB"}
	postgresTypes = dialectTypes{Postgres: true, Time: "TIMESTAMPTZ", Bytes: "BYTEA"}
)

// migrations renders the embedded migration files for one database. A file's name starts
// with its version number (00001_foundation.sql); versions are applied in order and
// recorded, and each runs in its own transaction.
func migrations(types dialectTypes) ([]*goose.Migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []*goose.Migration
	for _, name := range names {
		version, err := strconv.ParseInt(strings.SplitN(path.Base(name), "_", 2)[0], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a version number", name)
		}
		src, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		tmpl, err := template.New(name).Option("missingkey=error").Parse(string(src))
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", name, err)
		}
		var rendered bytes.Buffer
		if err := tmpl.Execute(&rendered, types); err != nil {
			return nil, fmt.Errorf("migration %s: %w", name, err)
		}
		statements := rendered.String()
		out = append(out, goose.NewGoMigration(version, &goose.GoFunc{
			RunTx: func(ctx context.Context, tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, statements); err != nil {
					return fmt.Errorf("migration %s: %w", name, err)
				}
				return nil
			},
		}, nil))
	}
	return out, nil
}

// migrator returns a goose provider for the store's database. On PostgreSQL it takes an
// advisory lock while migrating, so that replicas starting together apply each version once.
func (s *Store) migrator(log *slog.Logger) (*goose.Provider, error) {
	types, dialect := sqliteTypes, goose.DialectSQLite3
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if s.postgres {
		types, dialect = postgresTypes, goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	ms, err := migrations(types)
	if err != nil {
		return nil, err
	}
	if log != nil {
		opts = append(opts, goose.WithSlog(log))
	} else {
		opts = append(opts, goose.WithLogger(goose.NopLogger()))
	}
	opts = append(opts, goose.WithGoMigrations(ms...))
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(dialect, sqlDB, nil, opts...)
}

// Migrate applies the migrations the database lacks. It refuses a database whose schema
// is newer than this program, because running old code on it could damage data.
func (s *Store) Migrate(ctx context.Context, log *slog.Logger) error {
	p, err := s.migrator(log)
	if err != nil {
		return fmt.Errorf("prepare migrations: %w", err)
	}
	if err := s.checkNotNewer(ctx, p); err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	return nil
}

// SchemaStatus says how the database's schema compares with this program.
type SchemaStatus struct {
	Current int64 // the version the database is at; 0 for an empty database
	Latest  int64 // the newest version this program knows
}

// UpToDate reports whether the schema is exactly the one this program expects.
func (st SchemaStatus) UpToDate() bool { return st.Current == st.Latest }

// Schema returns the database's schema version next to the program's.
func (s *Store) Schema(ctx context.Context) (SchemaStatus, error) {
	p, err := s.migrator(nil)
	if err != nil {
		return SchemaStatus{}, err
	}
	// Asking goose on an empty database would create its version table; an empty database
	// is reported as version 0 without writing to it.
	if !s.db.WithContext(ctx).Migrator().HasTable(goose.DefaultTablename) {
		return SchemaStatus{Latest: latestVersion(p)}, nil
	}
	current, latest, err := p.GetVersions(ctx)
	if err != nil {
		return SchemaStatus{}, fmt.Errorf("read schema version: %w", err)
	}
	return SchemaStatus{Current: current, Latest: latest}, nil
}

func (s *Store) checkNotNewer(ctx context.Context, p *goose.Provider) error {
	current, latest, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > latest {
		return fmt.Errorf("the database schema is at version %d, newer than this program knows (%d): run a newer trennwand", current, latest)
	}
	return nil
}

func latestVersion(p *goose.Provider) int64 {
	sources := p.ListSources()
	return sources[len(sources)-1].Version
}
