package compliance_test

import (
	"context"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

var testTime = storetest.WorldTime

func newService(s *store.Store) *domain.Services {
	return domain.New(s, storetest.PlainSealer{}, storetest.Platforms())
}

// clock is a service clock that a test moves by hand.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time          { return c.now }
func (c *clock) Advance(d time.Duration) { c.now = c.now.Add(d) }

// fakeCA records what the domain asks of the CA.
type fakeCA struct {
	revoked []string // tenant/enrolment of each call
}

func (f *fakeCA) RevokeEnrolment(_ context.Context, tenantID, enrolmentID, _ string) (int, error) {
	f.revoked = append(f.revoked, tenantID+"/"+enrolmentID)
	return 1, nil
}

// raw runs sql directly on the database, past every rule of the domain.
func raw(t testing.TB, s *store.Store, sql string, args ...any) {
	t.Helper()
	if err := s.Tables().DB().Exec(sql, args...).Error; err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// rawCount counts the rows of table that match where.
func rawCount(s *store.Store, table, where string, args ...any) int64 {
	var n int64
	s.Tables().DB().Table(table).Where(where, args...).Count(&n)
	return n
}

// events returns the tenant's audit events of the action, in order.
func events(t *testing.T, s *store.Store, tenantID string, action audit.Action) []audit.Event {
	t.Helper()
	var out []audit.Event
	err := store.TrailOf(s).AuditEvents(context.Background(), tenantID, 0, func(e audit.Event) error {
		if e.Action == action {
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// benchEach runs a benchmark on every supported database.
func benchEach(b *testing.B, fn func(b *testing.B, s *store.Store)) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		b.Run(backend, func(b *testing.B) { fn(b, storetest.Open(b, backend)) })
	}
}
