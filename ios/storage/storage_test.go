package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// rows counts the rows of an ios_ table.
func rows(t testing.TB, st *store.Store, table string) int {
	t.Helper()
	var n int
	if err := st.Tables().DB().Raw("SELECT COUNT(*) FROM " + table).Row().Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func wantRows(t testing.TB, st *store.Store, table string, want int) {
	t.Helper()
	if got := rows(t, st, table); got != want {
		t.Errorf("%s: %d rows, want %d", table, got, want)
	}
}

func TestFinalAnswersEmptyTheQueue(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			s, st := open(t, backend)
			svc := server(s)
			a, b, c := newDevice(t), newDevice(t), newDevice(t)
			for _, d := range []*device{a, b, c} {
				d.enrol(t, svc)
			}
			if errs, err := s.EnqueueCommand(context.Background(), []string{a.id, b.id, c.id}, command(t, "CMD1")); err != nil || errs != nil {
				t.Fatalf("enqueue: %v %v", errs, err)
			}
			wantRows(t, st, "ios_queue", 3)

			if got := a.report(t, svc, "Idle", ""); got != "CMD1" {
				t.Fatalf("a got %q, want CMD1", got)
			}
			a.report(t, svc, "Acknowledged", "CMD1")
			b.report(t, svc, "Error", "CMD1")
			wantRows(t, st, "ios_queue", 1)
			wantRows(t, st, "ios_commands", 1)

			if got := c.report(t, svc, "NotNow", "CMD1"); got != "" {
				t.Errorf("after NotNow c got %q, want nothing", got)
			}
			if got := c.report(t, svc, "Idle", ""); got != "CMD1" {
				t.Errorf("c got %q after Idle, want CMD1 again", got)
			}
			c.report(t, svc, "Acknowledged", "CMD1")
			wantRows(t, st, "ios_queue", 0)
			wantRows(t, st, "ios_commands", 0)
			if got := a.report(t, svc, "Idle", ""); got != "" {
				t.Errorf("a got %q from an empty queue", got)
			}
		})
	}
}

func TestEnqueueAnswersPerEnrolment(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			s, st := open(t, backend)
			svc := server(s)
			ctx := context.Background()
			enrolled, gone := newDevice(t), newDevice(t)
			enrolled.enrol(t, svc)
			gone.enrol(t, svc)
			if err := gone.checkOut(t, svc); err != nil {
				t.Fatal(err)
			}

			errs, err := s.EnqueueCommand(ctx, []string{enrolled.id, gone.id, "unknown", enrolled.id}, command(t, "CMD1"))
			if err != nil {
				t.Fatal(err)
			}
			if len(errs) != 2 || !errors.Is(errs[gone.id], storage.ErrNotEnrolled) || !errors.Is(errs["unknown"], storage.ErrNotEnrolled) {
				t.Errorf("per-enrolment errors %v, want ErrNotEnrolled for the checked-out and the unknown one", errs)
			}
			wantRows(t, st, "ios_queue", 1)

			if _, err := s.EnqueueCommand(ctx, []string{enrolled.id}, command(t, "CMD1")); err == nil {
				t.Error("a command UUID that is still queued was queued again")
			}
			if errs, err := s.EnqueueCommand(ctx, []string{"unknown"}, command(t, "CMD2")); err != nil || len(errs) != 1 {
				t.Errorf("enqueue for nobody enrolled: %v %v", errs, err)
			}
			wantRows(t, st, "ios_commands", 1)

			push, err := s.RetrievePushInfo(ctx, []string{enrolled.id, gone.id, "unknown"})
			if err != nil {
				t.Fatal(err)
			}
			if len(push) != 1 || push[enrolled.id] == nil {
				t.Errorf("push data for %d enrolments, want only the enrolled one", len(push))
			}
		})
	}
}

func TestCheckOutAndNewEnrolmentClearTheQueue(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			s, st := open(t, backend)
			svc := server(s)
			ctx := context.Background()
			d := newDevice(t)
			d.enrol(t, svc)
			if _, err := s.EnqueueCommand(ctx, []string{d.id}, command(t, "CMD1")); err != nil {
				t.Fatal(err)
			}
			if err := d.checkOut(t, svc); err != nil {
				t.Fatal(err)
			}
			wantRows(t, st, "ios_queue", 0)
			wantRows(t, st, "ios_commands", 0)

			d.enrol(t, svc)
			if _, err := s.EnqueueCommand(ctx, []string{d.id}, command(t, "CMD2")); err != nil {
				t.Fatal(err)
			}
			d.enrol(t, svc)
			wantRows(t, st, "ios_queue", 0)
			wantRows(t, st, "ios_commands", 0)
			if tally, _ := s.RetrieveTokenUpdateTally(ctx, d.id); tally != 1 {
				t.Errorf("TokenUpdate tally %d after a new enrolment, want 1", tally)
			}
		})
	}
}

// statements records the SQL that the storage sends to the database.
type statements struct {
	mu  sync.Mutex
	sql []string
}

func (rec *statements) add(q string) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.sql = append(rec.sql, q)
}

// recordingPool passes statements on to the database and records them; a transaction it
// records as BEGIN (its statements go to the transaction).
type recordingPool struct {
	gorm.ConnPool
	rec *statements
}

func (p recordingPool) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	p.rec.add(q)
	return p.ConnPool.ExecContext(ctx, q, args...)
}

func (p recordingPool) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	p.rec.add(q)
	return p.ConnPool.QueryContext(ctx, q, args...)
}

func (p recordingPool) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	p.rec.add(q)
	return p.ConnPool.QueryRowContext(ctx, q, args...)
}

func (p recordingPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error) {
	p.rec.add("BEGIN")
	return p.ConnPool.(gorm.TxBeginner).BeginTx(ctx, opts)
}

// recorded returns a handle on the database that records what is sent through it.
func recorded(db *gorm.DB) (*gorm.DB, *statements) {
	rec := &statements{}
	db = db.Session(&gorm.Session{NewDB: true, Context: context.Background()})
	db.Statement.ConnPool = recordingPool{ConnPool: db.Statement.ConnPool, rec: rec}
	return db, rec
}

// take returns the statements since the last take.
func (rec *statements) take() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	out := rec.sql
	rec.sql = nil
	return out
}

func writes(sql []string) []string {
	var out []string
	for _, q := range sql {
		if verb := strings.Fields(q)[0]; verb != "SELECT" {
			out = append(out, q)
		}
	}
	return out
}

func TestIdleCheckInIsOneReadAndWritesLastSeenOncePerResolution(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			now := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
			_, st := open(t, backend)
			db, rec := recorded(st.Tables().DB())
			svc := server(storage.New(st.Tables(), storetest.PlainSealer{}, storage.WithDB(db), storage.WithClock(func() time.Time { return now }),
				storage.WithLastSeenResolution(time.Minute)))
			d := newDevice(t)
			d.enrol(t, svc)
			lastSeen := func() time.Time {
				var at time.Time
				if err := st.Tables().DB().Raw("SELECT last_seen_at FROM ios_enrollments WHERE id = ?", d.id).Row().Scan(&at); err != nil {
					t.Fatal(err)
				}
				return at.UTC()
			}

			now = now.Add(59 * time.Second)
			rec.take()
			d.report(t, svc, "Idle", "")
			if sql := rec.take(); len(sql) != 1 || len(writes(sql)) != 0 {
				t.Errorf("Idle check-in within the resolution ran %q, want one read", sql)
			}
			d.perCall = true
			d.report(t, svc, "Idle", "")
			if sql := rec.take(); len(sql) != 2 || len(writes(sql)) != 0 {
				t.Errorf("Idle check-in without storage.RequestContext ran %q, want two reads", sql)
			}
			d.perCall = false
			if !lastSeen().Equal(now.Add(-59 * time.Second)) {
				t.Errorf("last seen %v moved within the resolution", lastSeen())
			}

			now = now.Add(time.Second)
			d.report(t, svc, "Idle", "")
			if w := writes(rec.take()); len(w) != 1 {
				t.Errorf("Idle check-in after the resolution wrote %q, want the last-seen time", w)
			}
			if !lastSeen().Equal(now) {
				t.Errorf("last seen %v, want %v", lastSeen(), now)
			}
		})
	}
}

func TestNewCertificateRetiresTheOldOne(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			s, _ := open(t, backend)
			ctx := context.Background()
			d, other := newDevice(t), newDevice(t)
			r := d.storeRequest()
			for _, hash := range []string{"AA01", "bb02"} {
				if err := s.AssociateCertHash(r, hash); err != nil {
					t.Fatal(err)
				}
			}
			for _, c := range []struct {
				what string
				got  func() (bool, error)
				want bool
			}{
				{"old certificate authenticates", func() (bool, error) { return s.IsCertHashAssociated(r, "aa01") }, false},
				{"new certificate authenticates", func() (bool, error) { return s.IsCertHashAssociated(r, "BB02") }, true},
				{"old certificate is known", func() (bool, error) { return s.HasCertHash(other.storeRequest(), "aa01") }, true},
				{"enrolment has a certificate", func() (bool, error) { return s.EnrollmentHasCertHash(r, "") }, true},
				{"other enrolment has a certificate", func() (bool, error) { return s.EnrollmentHasCertHash(other.storeRequest(), "") }, false},
			} {
				if got, err := c.got(); err != nil || got != c.want {
					t.Errorf("%s: %v %v, want %v", c.what, got, err, c.want)
				}
			}
			if id, err := s.EnrollmentFromHash(ctx, "aa01"); err != nil || id != "" {
				t.Errorf("enrolment of the retired certificate: %q %v, want none", id, err)
			}
			if id, err := s.EnrollmentFromHash(ctx, "bb02"); err != nil || id != d.id {
				t.Errorf("enrolment of the new certificate: %q %v, want %s", id, err, d.id)
			}
		})
	}
}

func TestDeleteDeviceLeavesNothing(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			s, st := open(t, backend)
			svc := server(s)
			ctx := context.Background()
			d, kept := newDevice(t), newDevice(t)
			d.enrol(t, svc)
			kept.enrol(t, svc)
			if _, err := s.EnqueueCommand(ctx, []string{d.id}, command(t, "CMD1")); err != nil {
				t.Fatal(err)
			}
			if _, err := s.EnqueueCommand(ctx, []string{d.id, kept.id}, command(t, "CMD2")); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteDevice(ctx, d.id); err != nil {
				t.Fatal(err)
			}
			for table, want := range map[string]int{"ios_devices": 1, "ios_enrollments": 1, "ios_cert_auth": 1, "ios_queue": 1, "ios_commands": 1} {
				wantRows(t, st, table, want)
			}
			if got := kept.report(t, svc, "Idle", ""); got != "CMD2" {
				t.Errorf("the other device got %q, want CMD2", got)
			}
		})
	}
}

func TestPruneCommandsRemovesLeftovers(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			s, st := open(t, backend)
			svc := server(s)
			ctx := context.Background()
			d := newDevice(t)
			d.enrol(t, svc)
			if _, err := s.EnqueueCommand(ctx, []string{d.id}, command(t, "QUEUED")); err != nil {
				t.Fatal(err)
			}
			// What a crash between a final answer and the deletion of its command leaves.
			if err := st.Tables().DB().Exec(`INSERT INTO ios_commands (command_uuid, request_type, command, created_at) VALUES ('LEFT', 'X', ?, ?)`,
				[]byte("<?xml"), time.Now().UTC()).Error; err != nil {
				t.Fatal(err)
			}
			if n, err := s.PruneCommands(ctx); err != nil || n != 1 {
				t.Errorf("pruned %d (%v), want 1", n, err)
			}
			if got := d.report(t, svc, "Idle", ""); got != "QUEUED" {
				t.Errorf("got %q, want the queued command", got)
			}
		})
	}
}
