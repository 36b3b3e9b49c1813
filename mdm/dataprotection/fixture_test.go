package dataprotection_test

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

var testTime = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func newService(s *store.Store) *domain.Services {
	return domain.New(s, storetest.PlainSealer{}, storetest.Platforms())
}

// fakeCA revokes one certificate per call, as a CA that had issued one.
type fakeCA struct{}

func (fakeCA) RevokeEnrolment(context.Context, string, string, string) (int, error) { return 1, nil }
