package storage_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/mdm/store"
)

// seedEnrolments writes n enrolled device channels straight into the tables, as n
// Authenticate and TokenUpdate check-ins would leave them, and returns their IDs.
func seedEnrolments(t testing.TB, st *store.Store, n int) []string {
	t.Helper()
	ids := make([]string, n)
	now := time.Now().UTC()
	err := st.Gorm().Transaction(func(tx *gorm.DB) error {
		type device struct {
			ID             string
			Authenticate   []byte
			AuthenticateAt time.Time
		}
		type enrollment struct {
			ID, DeviceID, Type, Topic, PushMagic string
			PushToken                            []byte
			Enabled                              bool
			TokenUpdateTally                     int
			EnrolledAt, LastSeenAt               time.Time
		}
		devices := make([]device, n)
		enrollments := make([]enrollment, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("seeded-%06d", i)
			devices[i] = device{ids[i], []byte("<?xml"), now}
			enrollments[i] = enrollment{ids[i], ids[i], "User Enrollment (Device)", "com.apple.mgmt.test", "magic",
				[]byte{1, 2, 3}, true, 1, now, now}
		}
		if err := tx.Table("ios_devices").CreateInBatches(devices, 500).Error; err != nil {
			return err
		}
		return tx.Table("ios_enrollments").CreateInBatches(enrollments, 500).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
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
