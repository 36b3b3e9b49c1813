// Package store keeps trennwand's domain in a SQL database through gorm: SQLite in one
// file for a single installation, PostgreSQL for several replicas. It implements
// mdm.Store; its schema comes from versioned migrations.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/trennwand/trennwand/mdm"
)

// Store is the gorm implementation of mdm.Store.
type Store struct {
	db        *gorm.DB
	postgres  bool
	sources   []MigrationSource
	jobDriver riverdriver.Driver[*sql.Tx]
	jobs      *river.Client[*sql.Tx]
	// inTx is set on the copy of the store that a transaction works in.
	inTx bool
	// appended run in the transaction of every appended audit event, in order.
	appended []mdm.AuditHook
	// changes tells what the server keeps in memory of the changes that commit.
	changes *Changes
}

var _ mdm.Store = (*Store)(nil)

// DSN is a parsed database setting: "sqlite:///path/to/file.db" or a "postgres://" URL.
type DSN struct {
	Postgres   bool
	SQLitePath string // for SQLite
	URL        string // for PostgreSQL
}

// ParseDSN checks a database setting and says which database it selects.
func ParseDSN(s string) (DSN, error) {
	switch {
	case strings.HasPrefix(s, "sqlite://"):
		p := strings.TrimPrefix(s, "sqlite://")
		if p == "" || strings.ContainsAny(p, "?#") {
			return DSN{}, fmt.Errorf("database %q: write sqlite:///path/to/file.db (a file path without ? or #)", s)
		}
		return DSN{SQLitePath: p}, nil
	case strings.HasPrefix(s, "postgres://"), strings.HasPrefix(s, "postgresql://"):
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return DSN{}, fmt.Errorf("database %q: not a valid postgres:// URL", Redact(s))
		}
		return DSN{Postgres: true, URL: s}, nil
	}
	return DSN{}, fmt.Errorf("database %q: use sqlite:///path/to/file.db or a postgres:// URL", Redact(s))
}

// String returns the setting with any password hidden, for logs and messages.
func (d DSN) String() string {
	if d.Postgres {
		return Redact(d.URL)
	}
	return "sqlite://" + d.SQLitePath
}

// Redact hides the password of a database URL.
func Redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Open connects to the database. It does not change the schema; see Migrate.
func Open(ctx context.Context, dsn DSN, opts ...Option) (*Store, error) {
	cfg := &gorm.Config{
		TranslateError: true,
		Logger:         logger.Discard,
		NowFunc:        func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
		// Every multi-step write runs in an explicit transaction (Store.Atomic); single
		// statements need no wrapping.
		SkipDefaultTransaction: true,
	}
	var dialector gorm.Dialector
	if dsn.Postgres {
		dialector = postgres.Open(dsn.URL)
	} else {
		if err := privateSQLiteFiles(dsn.SQLitePath); err != nil {
			return nil, err
		}
		// WAL lets readers work while one writer writes; IMMEDIATE transactions take the write
		// lock at BEGIN, so concurrent writers wait (busy_timeout) instead of failing midway.
		dialector = sqlite.Open("file:" + dsn.SQLitePath +
			"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)" +
			"&_pragma=synchronous(NORMAL)&_txlock=immediate")
	}
	db, err := gorm.Open(dialector, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", dsn, err)
	}
	s := &Store{db: db, postgres: dsn.Postgres, sources: []MigrationSource{coreMigrations()}}
	s.changes = newChanges(db, dsn)
	for _, o := range opts {
		o(s)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if dsn.Postgres {
		sqlDB.SetMaxOpenConns(20)
	} else {
		sqlDB.SetMaxOpenConns(4)
	}
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	s.jobDriver = newJobDriver(sqlDB, dsn.Postgres)
	if s.jobs, err = newJobInserter(s.jobDriver); err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	if err := s.Ping(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("reach database %s: %w", dsn, err)
	}
	return s, nil
}

// Close closes the connections.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Postgres reports whether the store is on PostgreSQL.
func (s *Store) Postgres() bool { return s.postgres }

// scoped returns a query on the rows of one tenant.
func (s *Store) scoped(ctx context.Context, tenantID string) *gorm.DB {
	return s.db.WithContext(ctx).Where("tenant_id = ?", tenantID)
}

// translate turns database errors into the domain's errors.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return mdm.ErrNotFound
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return fmt.Errorf("%w (%v)", mdm.ErrConflict, err)
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return fmt.Errorf("%w: a referenced row does not exist in this tenant", mdm.ErrNotFound)
	case errors.Is(err, gorm.ErrCheckConstraintViolated):
		return fmt.Errorf("%w (%v)", mdm.ErrInvalid, err)
	}
	return err
}
