package compliance_test

import (
	"context"
	"testing"

	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

var testTime = storetest.WorldTime

func newService(s *store.Store) *domain.Services {
	return domain.New(s, storetest.PlainSealer{}, storetest.Platforms())
}

// fakeCA records what the domain asks of the CA.
type fakeCA struct {
	revoked []string // tenant/enrolment of each call
}

func (f *fakeCA) RevokeEnrolment(_ context.Context, tenantID, enrolmentID, _ string) (int, error) {
	f.revoked = append(f.revoked, tenantID+"/"+enrolmentID)
	return 1, nil
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
