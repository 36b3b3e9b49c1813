// Package storage keeps nanomdm's state — check-ins, push data, command queues, certificate
// associations and APNs push certificates — in the installation's database through gorm,
// on SQLite and PostgreSQL, in the ios_ tables that ios.Migrations creates. It implements
// nanomdm's storage.AllStorage and is correct with several replicas on one database: every
// rule that spans statements is kept by a transaction, a row lock or the order of commits,
// never by a lock in the process.
//
// # The Idle check-in
//
// Most requests a server sees are a device reporting Idle with nothing queued. nanomdm's
// services then call IsCertHashAssociated, StoreCommandReport and RetrieveNextCommand.
// Such a check-in changes nothing but the time the device was last seen, and that time
// only matters to a resolution of a minute or so (WithLastSeenResolution). So:
//
//   - StoreCommandReport with status Idle does nothing;
//   - RetrieveNextCommand records the visit: nanomdm calls it on every request to the
//     command endpoint, whatever the status. It reads whether last-seen is older than the
//     resolution and whether anything is queued, writes last-seen only in the first case
//     and fetches a command only in the second;
//   - in a request wrapped in RequestContext (as the server wraps every MDM request),
//     IsCertHashAssociated reads what RetrieveNextCommand needs in the same statement as
//     the certificate association, and keeps it in the request's context until then.
//
// One read and, usually, no write: no write lock on SQLite, no WAL flush on PostgreSQL,
// one round trip. Without RequestContext it is two reads. These statements go to the
// connection pool without gorm (hotpath.go). WithChanges saves the read as well: the
// enrolment's certificate, last-seen time and "nothing queued" are kept in memory until the
// feed of changes names the enrolment (a queued command, a new certificate).
//
// # Queue cleanup
//
// A queue row lives until the enrolment answers the command with anything but NotNow (or
// its queue is cleared, or it is disabled); a command row lives while it is queued
// somewhere. The command row is dropped by a statement that runs after the transaction
// that deleted queue rows has committed and deletes it only if no queue row is left: of
// several replicas deleting the last rows of one command at once, the one that commits
// last always sees none left, and none of them waits on a lock the others hold.
// PruneCommands removes what a crash between the two steps leaves behind.
package storage

import (
	"context"
	"errors"
	"time"

	nanostorage "github.com/micromdm/nanomdm/storage"
	"gorm.io/gorm"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
)

// ErrNotEnrolled answers, per enrolment ID, an enqueue for an enrolment that is unknown or
// not enrolled any more.
var ErrNotEnrolled = errors.New("not enrolled")

// DefaultLastSeenResolution is how stale the stored last-seen time of an enrolment may get
// before a check-in writes it again.
const DefaultLastSeenResolution = time.Minute

// maxParams bounds the values bound to one statement; both databases allow far more
// (SQLite 32766, PostgreSQL 65535), and shorter statements plan faster.
const maxParams = 1000

// Storage is nanomdm's AllStorage on the installation's database.
type Storage struct {
	tables     store.Tables
	db         *gorm.DB
	sealer     mdm.Sealer
	now        func() time.Time
	resolution time.Duration
	hot        hotPath
	// forShare locks the enrolment rows an enqueue reads (PostgreSQL only; SQLite runs
	// one writer at a time).
	forShare string
	changes  *store.Changes
	// kept holds what an Idle check-in reads of an enrolment, while nothing is queued for
	// it (hotpath.go).
	kept *store.Kept[string, enrolmentState]
}

var _ nanostorage.AllStorage = (*Storage)(nil)

// Option configures a Storage.
type Option func(*Storage)

// WithLastSeenResolution sets how stale the stored last-seen time may get before a
// check-in writes it again. Zero writes it on every check-in.
func WithLastSeenResolution(d time.Duration) Option {
	return func(s *Storage) { s.resolution = d }
}

// WithClock sets the source of the current time, for tests.
func WithClock(now func() time.Time) Option {
	return func(s *Storage) { s.now = now }
}

// WithChanges lets the storage keep in memory what an Idle check-in reads of an enrolment,
// for as long as the feed of changes does not name it: its certificate, when it was last
// seen, and that nothing is queued for it.
func WithChanges(c *store.Changes) Option {
	return func(s *Storage) { s.changes = c }
}

// WithDB makes the storage read and write its tables outside transactions through db, a
// session of the installation's database (tests use one that records the statements).
func WithDB(db *gorm.DB) Option {
	return func(s *Storage) { s.db = db }
}

// New returns the storage on its tables in the installation's database (with the ios
// migrations applied). Writes that go with the domain's (an enqueued command and its
// push job, a push certificate and its audit event) share the one transaction of tables.
// The sealer encrypts the APNs push certificates' keys and bootstrap tokens.
func New(tables store.Tables, sealer mdm.Sealer, opts ...Option) *Storage {
	s := &Storage{
		tables:     tables,
		db:         tables.DB(),
		sealer:     sealer,
		now:        time.Now,
		resolution: DefaultLastSeenResolution,
	}
	for _, o := range opts {
		o(s)
	}
	postgres := s.db.Dialector.Name() == "postgres"
	s.hot = newHotPath(s.db, postgres)
	s.kept = keptEnrolments(s.changes)
	if postgres {
		s.forShare = " FOR SHARE"
	}
	return s
}

// Tables returns the handle on the installation's tables the storage works in, for the
// components beside it that keep tables of their own (ios/ddm).
func (s *Storage) Tables() store.Tables { return s.tables }

// clock returns the current time as it is stored: UTC, to the microsecond that both
// databases keep.
func (s *Storage) clock() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

// conn returns the database handle for one call.
func (s *Storage) conn(ctx context.Context) *gorm.DB {
	return s.db.WithContext(ctx)
}

// chunks splits ids into parts of at most maxParams, dropping repeats.
func chunks(ids []string) [][]string {
	seen := make(map[string]bool, len(ids))
	var parts [][]string
	var part []string
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		part = append(part, id)
		if len(part) == maxParams {
			parts = append(parts, part)
			part = nil
		}
	}
	if len(part) > 0 {
		parts = append(parts, part)
	}
	return parts
}
