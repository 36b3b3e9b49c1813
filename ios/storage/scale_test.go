package storage_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/ios/storage/storagetest"
	"github.com/trennwand/trennwand/mdm/store"
)

func seedEnrolments(t testing.TB, st *store.Store, n int) []string {
	t.Helper()
	return storagetest.SeedEnrolments(t, st.Tables().DB(), n, "com.apple.mgmt.test")
}

// An enqueue for more enrolments than one statement binds, and the push data for them.
func TestEnqueueForThousandsOfEnrolments(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			s, st := open(t, backend)
			ctx := context.Background()
			ids := seedEnrolments(t, st, 2500)
			errs, err := s.EnqueueCommand(ctx, append(ids, "unknown"), command(t, "CMD1"))
			if err != nil {
				t.Fatal(err)
			}
			if len(errs) != 1 || !errors.Is(errs["unknown"], storage.ErrNotEnrolled) {
				t.Errorf("per-enrolment errors %v, want only the unknown one", errs)
			}
			wantRows(t, st, "ios_queue", len(ids))
			push, err := s.RetrievePushInfo(ctx, ids)
			if err != nil {
				t.Fatal(err)
			}
			if len(push) != len(ids) {
				t.Errorf("push data for %d enrolments, want %d", len(push), len(ids))
			}
		})
	}
}

// BenchmarkEnqueueForTenThousand measures queueing one command for 10,000 enrolments and
// reading their push data, the storage's part of a policy change for a large tenant.
func BenchmarkEnqueueForTenThousand(b *testing.B) {
	for _, backend := range backends {
		b.Run(backend, func(b *testing.B) {
			s, st := open(b, backend)
			ctx := context.Background()
			ids := seedEnrolments(b, st, 10000)
			n := 0
			for b.Loop() {
				n++
				if _, err := s.EnqueueCommand(ctx, ids, command(b, fmt.Sprintf("CMD%d", n))); err != nil {
					b.Fatal(err)
				}
				if _, err := s.RetrievePushInfo(ctx, ids); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
