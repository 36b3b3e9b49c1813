package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// benchEach runs a benchmark on every backend the suite runs on.
func benchEach(b *testing.B, fn func(b *testing.B, s *store.Store)) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		b.Run(backend, func(b *testing.B) { fn(b, storetest.Open(b, backend)) })
	}
}

// BenchmarkInvite measures one invitation: a new employee, an invitation and its audit
// event in one transaction.
func BenchmarkInvite(b *testing.B) {
	benchEach(b, func(b *testing.B, s *store.Store) {
		svc := newService(s)
		tn := storetest.Tenant(b, svc, "musterstadt")
		ctx := context.Background()
		i := 0
		for b.Loop() {
			i++
			if _, err := svc.Invite(ctx, "bench", tn, mdm.InviteRequest{Email: fmt.Sprintf("e%d@musterstadt.example", i)}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkInviteParallel measures invitations from several goroutines at once, which
// all queue on the tenant's audit chain head.
func BenchmarkInviteParallel(b *testing.B) {
	benchEach(b, func(b *testing.B, s *store.Store) {
		svc := newService(s)
		tn := storetest.Tenant(b, svc, "musterstadt")
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := svc.Invite(context.Background(), "bench", tn, mdm.InviteRequest{Email: mdm.NewID() + "@musterstadt.example"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}
