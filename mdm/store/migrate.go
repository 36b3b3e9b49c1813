package store

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"strconv"
	"strings"
	"text/template"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// MigrationSource is a numbered series of migrations with its own version table. The
// domain's series is always applied; a component that keeps tables of its own in the same
// database (the CA's certificates, for example) brings another series.
type MigrationSource struct {
	// Name says whose schema it is, in messages and as the prefix of its version table.
	Name string
	// FS holds files named NNNNN_what.sql at its root. Each is a text/template rendered
	// with the database's type names: {{.Time}}, {{.Bytes}}, and {{if .Postgres}}.
	FS fs.FS
}

// WithMigrations adds a migration series to the store's schema.
func WithMigrations(src MigrationSource) Option {
	return func(s *Store) { s.sources = append(s.sources, src) }
}

// Option configures a Store.
type Option func(*Store)

func coreMigrations() MigrationSource {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embedded folder exists at build time
	}
	return MigrationSource{Name: "core", FS: sub}
}

// versionTable names the table in which goose records a series' applied versions.
func (src MigrationSource) versionTable() string {
	if src.Name == "core" {
		return goose.DefaultTablename
	}
	return src.Name + "_db_version"
}

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

// render turns the files of a series into goose migrations for one database. Versions
// are applied in order and recorded; each runs in its own transaction.
func (src MigrationSource) render(types dialectTypes) ([]*goose.Migration, error) {
	names, err := fs.Glob(src.FS, "*.sql")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("migrations %s: no files", src.Name)
	}
	out := make([]*goose.Migration, 0, len(names))
	for _, name := range names {
		version, err := strconv.ParseInt(strings.SplitN(name, "_", 2)[0], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("migration %s/%s: name must start with a version number", src.Name, name)
		}
		text, err := fs.ReadFile(src.FS, name)
		if err != nil {
			return nil, err
		}
		tmpl, err := template.New(name).Option("missingkey=error").Parse(string(text))
		if err != nil {
			return nil, fmt.Errorf("migration %s/%s: %w", src.Name, name, err)
		}
		var rendered bytes.Buffer
		if err := tmpl.Execute(&rendered, types); err != nil {
			return nil, fmt.Errorf("migration %s/%s: %w", src.Name, name, err)
		}
		statements, label := rendered.String(), src.Name+"/"+name
		out = append(out, goose.NewGoMigration(version, &goose.GoFunc{
			RunTx: func(ctx context.Context, tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, statements); err != nil {
					return fmt.Errorf("migration %s: %w", label, err)
				}
				return nil
			},
		}, nil))
	}
	return out, nil
}

// migrator returns a goose provider for one series on the store's database. On PostgreSQL
// it takes an advisory lock while migrating, so that replicas starting together apply each
// version once.
func (s *Store) migrator(src MigrationSource, log *slog.Logger) (*goose.Provider, error) {
	types, dialect := sqliteTypes, goose.DialectSQLite3
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true), goose.WithTableName(src.versionTable())}
	if s.postgres {
		types, dialect = postgresTypes, goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	ms, err := src.render(types)
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

// Migrate applies the migrations the database lacks, series by series. It refuses a
// database whose schema is newer than this program, because running old code on it could
// damage data.
func (s *Store) Migrate(ctx context.Context, log *slog.Logger) error {
	for _, src := range s.sources {
		p, err := s.migrator(src, log)
		if err != nil {
			return fmt.Errorf("prepare %s migrations: %w", src.Name, err)
		}
		current, latest, err := p.GetVersions(ctx)
		if err != nil {
			return fmt.Errorf("read %s schema version: %w", src.Name, err)
		}
		if current > latest {
			return fmt.Errorf("the %s schema is at version %d, newer than this program knows (%d): run a newer trennwand", src.Name, current, latest)
		}
		if _, err := p.Up(ctx); err != nil {
			return fmt.Errorf("apply %s migrations: %w", src.Name, err)
		}
	}
	return s.migrateJobs(ctx, log)
}

// SchemaPart is the version of one migration series in the database next to the newest
// this program knows.
type SchemaPart struct {
	Name    string
	Current int64 // 0 for a database without this series
	Latest  int64
}

// SchemaStatus says how the database's schema compares with this program.
type SchemaStatus []SchemaPart

// UpToDate reports whether every series is exactly at the version this program expects.
func (st SchemaStatus) UpToDate() bool {
	for _, p := range st {
		if p.Current != p.Latest {
			return false
		}
	}
	return true
}

// Empty reports whether the database holds no schema of this program at all.
func (st SchemaStatus) Empty() bool {
	for _, p := range st {
		if p.Current != 0 {
			return false
		}
	}
	return true
}

func (st SchemaStatus) String() string {
	parts := make([]string, len(st))
	for i, p := range st {
		parts[i] = fmt.Sprintf("%s at version %d of %d", p.Name, p.Current, p.Latest)
	}
	return strings.Join(parts, ", ")
}

// Schema returns the database's schema versions next to the program's, without writing to
// the database.
func (s *Store) Schema(ctx context.Context) (SchemaStatus, error) {
	var st SchemaStatus
	for _, src := range s.sources {
		p, err := s.migrator(src, nil)
		if err != nil {
			return nil, err
		}
		part := SchemaPart{Name: src.Name, Latest: latestVersion(p)}
		// Asking goose about a missing version table would create it.
		if s.db.WithContext(ctx).Migrator().HasTable(src.versionTable()) {
			if part.Current, err = p.GetDBVersion(ctx); err != nil {
				return nil, fmt.Errorf("read %s schema version: %w", src.Name, err)
			}
		}
		st = append(st, part)
	}
	jobs, err := s.jobSchema(ctx)
	if err != nil {
		return nil, err
	}
	return append(st, jobs), nil
}

func latestVersion(p *goose.Provider) int64 {
	sources := p.ListSources()
	return sources[len(sources)-1].Version
}
