package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// benchEach runs a benchmark on every backend the suite runs on.
var benchEach = storetest.Bench

// BenchmarkVerifyAudit measures `audit verify` over a trail of 10,000 events.
func BenchmarkVerifyAudit(b *testing.B) {
	benchEach(b, func(b *testing.B, s *store.Store) {
		svc := newService(s)
		tn := storetest.Tenant(b, svc, "musterstadt")
		ctx := context.Background()
		// Appends in batches of 100 per transaction: within one transaction PostgreSQL keeps
		// every version of the head row, and each append would walk them all.
		for batch := range 100 {
			err := s.Atomic(ctx, func(tx mdm.Store) error {
				for i := range 100 {
					if batch == 99 && i == 99 {
						break // with the tenant's creation event, 10,000 events
					}
					if _, err := tx.AppendAudit(ctx, tn.ID, testTime, audit.Record{Actor: "bench", Action: audit.DeviceView, Subject: audit.Device.Of(fmt.Sprint(batch*100 + i))}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		for b.Loop() {
			r, err := svc.VerifyTenantAudit(ctx, tn)
			if err != nil || r.Break != nil || r.Events != 10000 {
				b.Fatal(r, err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/10000, "ns/event")
	})
}
