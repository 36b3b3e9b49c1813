package store_test

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// BenchmarkOpenInvitation measures what every portal page does first: the client's guess
// count, the invitation by its code hash, its tenant and employee.
func BenchmarkOpenInvitation(b *testing.B) {
	benchEach(b, func(b *testing.B, s *store.Store) {
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
	benchEach(b, func(b *testing.B, s *store.Store) {
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
