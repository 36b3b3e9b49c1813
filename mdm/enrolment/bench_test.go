package enrolment_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// BenchmarkInvite measures one invitation: a new employee, an invitation and its audit
// event in one transaction.
func BenchmarkInvite(b *testing.B) {
	storetest.Bench(b, func(b *testing.B, s *store.Store) {
		svc := newService(s)
		tn := storetest.Tenant(b, svc, "musterstadt")
		ctx := context.Background()
		i := 0
		for b.Loop() {
			i++
			if _, err := svc.Enrolment.Invite(ctx, "bench", tn, enrolment.InviteRequest{Email: fmt.Sprintf("e%d@musterstadt.example", i)}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkInviteParallel measures invitations from several goroutines at once, which
// all queue on the tenant's audit chain head.
func BenchmarkInviteParallel(b *testing.B) {
	storetest.Bench(b, func(b *testing.B, s *store.Store) {
		svc := newService(s)
		tn := storetest.Tenant(b, svc, "musterstadt")
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := svc.Enrolment.Invite(context.Background(), "bench", tn, enrolment.InviteRequest{Email: mdm.NewID() + "@musterstadt.example"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// BenchmarkOpenInvitation measures what every portal page does first: the client's guess
// count, the invitation by its code hash, its tenant and employee.
func BenchmarkOpenInvitation(b *testing.B) {
	storetest.Bench(b, func(b *testing.B, s *store.Store) {
		svc := newService(s)
		tn := storetest.Tenant(b, svc, "musterstadt")
		ctx := context.Background()
		inv, err := svc.Enrolment.Invite(ctx, "bench", tn, enrolment.InviteRequest{Email: "anna@musterstadt.example"})
		if err != nil {
			b.Fatal(err)
		}
		client := netip.MustParseAddr("203.0.113.7")
		for b.Loop() {
			if _, err := svc.Enrolment.OpenInvitation(ctx, client, inv.Code); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkImportThousand measures a bulk invitation of 1,000 employees from CSV: parsing,
// then 1,000 employees, invitations and audit events in one transaction.
func BenchmarkImportThousand(b *testing.B) {
	storetest.Bench(b, func(b *testing.B, s *store.Store) {
		svc := newService(s)
		ctx := context.Background()
		n := 0
		for b.Loop() {
			n++
			tn := storetest.Tenant(b, svc, fmt.Sprintf("town%d", n))
			var csv strings.Builder
			csv.WriteString("email;name\n")
			for i := range 1000 {
				fmt.Fprintf(&csv, "e%d@musterstadt.example;Person %d\n", i, i)
			}
			rows, err := enrolment.ParseInvitationCSV(strings.NewReader(csv.String()))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := svc.Enrolment.InviteMany(ctx, "bench", tn, rows, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkBeginConfirmationWithoutSetting measures what the iPhone's sign-in pays for
// the employees' sign-in at the provider on a tenant that does not ask for it: finding the
// code's invitation and the tenant's provider before the enrolment goes on as before.
func BenchmarkBeginConfirmationWithoutSetting(b *testing.B) {
	storetest.Bench(b, func(b *testing.B, s *store.Store) {
		svc := newService(s)
		tn := storetest.Tenant(b, svc, "musterstadt")
		ctx := context.Background()
		inv, err := svc.Enrolment.Invite(ctx, "bench", tn, enrolment.InviteRequest{Email: "anna@musterstadt.example",
			Platform: mdm.PlatformIOS, ManagedAppleID: "anna@appleid.musterstadt.example"})
		if err != nil {
			b.Fatal(err)
		}
		req := enrolment.ConfirmRequest{Via: enrolment.ViaApple, Code: inv.Code, Platform: mdm.PlatformIOS}
		client := netip.MustParseAddr("203.0.113.7")
		for b.Loop() {
			if _, err := svc.Enrolment.BeginConfirmation(ctx, client, req); !errors.Is(err, enrolment.ErrNoConfirmation) {
				b.Fatal(err)
			}
		}
	})
}
