package enrolment_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

func TestInvitingAnEmployee(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(s)
		tn := storetest.Tenant(t, svc, "musterstadt")

		first, err := svc.Enrolment.Invite(ctx, "cli:root", tn, enrolment.InviteRequest{Email: "Anna.Berg@musterstadt.example", Name: "Anna Berg"})
		if err != nil {
			t.Fatal(err)
		}
		if first.Invitation.Platform != mdm.PlatformAny || first.Employee.Email != "anna.berg@musterstadt.example" ||
			!first.Invitation.ExpiresAt.Equal(first.Invitation.CreatedAt.Add(enrolment.DefaultInvitationValidity)) {
			t.Fatalf("first invitation: %+v", first)
		}
		second, err := svc.Enrolment.Invite(ctx, "cli:root", tn, enrolment.InviteRequest{Email: "anna.berg@musterstadt.example",
			Platform: mdm.PlatformIOS, ManagedAppleID: "anna@appleid.musterstadt.example"})
		if err != nil {
			t.Fatal(err)
		}
		if second.Employee.ID != first.Employee.ID || second.Code == first.Code {
			t.Fatal("a second invitation must reuse the employee and have its own code")
		}
		emp, err := s.Devices().Employee(ctx, tn.ID, first.Employee.ID)
		if err != nil || emp.Name != "Anna Berg" || emp.ManagedAppleID != "anna@appleid.musterstadt.example" {
			t.Fatalf("employee after second invitation: %+v, %v", emp, err)
		}
		stored, err := store.EnrolmentOf(s).Invitation(ctx, tn.ID, second.Invitation.ID)
		if err != nil || !bytes.Equal(stored.CodeHash, mdm.HashInvitationCode(second.Code)) {
			t.Fatalf("stored invitation: %+v, %v", stored, err)
		}
	})
}

// A refused change leaves nothing behind: no row and no audit event.
func TestRefusedInvitationChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(s)
		tn := storetest.Tenant(t, svc, "musterstadt")
		if _, err := svc.Enrolment.Invite(ctx, "cli:root", tn, enrolment.InviteRequest{Email: "jo@musterstadt.example", ManagedAppleID: "jo@appleid.example"}); err != nil {
			t.Fatal(err)
		}
		head, _ := store.TrailOf(s).AuditHead(ctx, tn.ID)
		invitations := storetest.Count(t, s, "invitations", "tenant_id = ?", tn.ID)

		bad := []enrolment.InviteRequest{
			{Email: "jo@musterstadt.example", ManagedAppleID: "someone.else@appleid.example"}, // conflicts with the known account
			{Email: "not an address"},
			{Email: "new@musterstadt.example", Platform: "windows"},
			{Email: "new@musterstadt.example", Validity: 365 * 24 * time.Hour},
		}
		for _, req := range bad {
			if _, err := svc.Enrolment.Invite(ctx, "cli:root", tn, req); err == nil {
				t.Errorf("invitation %+v was accepted", req)
			} else if !errors.Is(err, mdm.ErrInvalid) && !errors.Is(err, mdm.ErrConflict) {
				t.Errorf("invitation %+v: unexpected error kind %v", req, err)
			}
		}
		after, _ := store.TrailOf(s).AuditHead(ctx, tn.ID)
		if after.Seq != head.Seq || storetest.Count(t, s, "invitations", "tenant_id = ?", tn.ID) != invitations ||
			storetest.Count(t, s, "employees", "email = ?", "new@musterstadt.example") != 0 {
			t.Fatal("a refused invitation left rows or audit events behind")
		}
	})
}

func TestInvitationIsUsedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := populate(t, newService(s), "musterstadt")
		now := w.invitation.CreatedAt.Add(time.Hour)

		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 5 {
			wg.Go(func() {
				if err := store.EnrolmentOf(s).MarkInvitationUsed(ctx, w.tenant.ID, w.invitation.ID, now); err == nil {
					wins.Add(1)
				} else if !errors.Is(err, mdm.ErrConflict) {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("the code was used %d times", wins.Load())
		}

		svc := newService(s)
		fresh, err := svc.Enrolment.Invite(ctx, "test", w.tenant, enrolment.InviteRequest{Email: "bert@musterstadt.example", Validity: 24 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		err = store.EnrolmentOf(s).MarkInvitationUsed(ctx, w.tenant.ID, fresh.Invitation.ID, fresh.Invitation.ExpiresAt.Add(time.Second))
		if !errors.Is(err, mdm.ErrConflict) || !strings.Contains(err.Error(), "expired") {
			t.Fatalf("using an expired invitation: %v", err)
		}
	})
}
