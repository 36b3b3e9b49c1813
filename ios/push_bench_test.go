package ios_test

import (
	"context"
	"testing"
	"time"

	"github.com/trennwand/trennwand/ios/storage/storagetest"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// BenchmarkCommandToTenThousandPhones measures one command for 10,000 enrolled phones,
// from the enqueue (command, queue rows and push jobs in one transaction) until the fake
// APNs has taken every push: the job queue's pickup, the push data reads and the HTTP/2
// pushes. Run it with:
//
//	go test -run '^$' -bench CommandToTenThousandPhones -benchtime 5x ./ios/
func BenchmarkCommandToTenThousandPhones(b *testing.B) { benchmarkCommandToPhones(b, 10000) }

// BenchmarkCommandToHundredThousandPhones is the same for 100,000 enrolled phones (the
// seeding before the timer takes a minute or two):
//
//	go test -run '^$' -bench CommandToHundredThousandPhones -benchtime 2x -timeout 30m ./ios/
func BenchmarkCommandToHundredThousandPhones(b *testing.B) { benchmarkCommandToPhones(b, 100000) }

func benchmarkCommandToPhones(b *testing.B, phones int) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		b.Run(backend, func(b *testing.B) {
			s := newSite(b, backend)
			fake := s.pushing(b)
			ids := storagetest.SeedEnrolments(b, s.st.Tables().DB(), phones, testTopic)
			ctx := context.Background()
			for b.Loop() {
				before := fake.Count()
				if idErrs, err := s.platform.Enqueue(ctx, ids, newCommand(b, "ManagedApplicationList")); err != nil || len(idErrs) > 0 {
					b.Fatalf("enqueue: %v (%d not enrolled)", err, len(idErrs))
				}
				deadline := time.Now().Add(time.Duration(phones/1000) * time.Minute)
				for fake.Count() < before+phones {
					if time.Now().After(deadline) {
						b.Fatalf("APNs got %d of %d pushes", fake.Count()-before, phones)
					}
					time.Sleep(time.Millisecond)
				}
			}
			b.ReportMetric(float64(phones)*float64(b.N)/b.Elapsed().Seconds(), "pushes/s")
		})
	}
}
