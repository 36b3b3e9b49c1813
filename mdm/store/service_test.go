package store_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

func TestInvitingAnEmployee(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(s)
		tn := storetest.Tenant(t, svc, "musterstadt")

		first, err := svc.Invite(ctx, "cli:root", tn, mdm.InviteRequest{Email: "Anna.Berg@musterstadt.example", Name: "Anna Berg"})
		if err != nil {
			t.Fatal(err)
		}
		if first.Invitation.Platform != mdm.PlatformAny || first.Employee.Email != "anna.berg@musterstadt.example" ||
			!first.Invitation.ExpiresAt.Equal(first.Invitation.CreatedAt.Add(mdm.DefaultInvitationValidity)) {
			t.Fatalf("first invitation: %+v", first)
		}
		second, err := svc.Invite(ctx, "cli:root", tn, mdm.InviteRequest{Email: "anna.berg@musterstadt.example",
			Platform: mdm.PlatformIOS, ManagedAppleID: "anna@appleid.musterstadt.example"})
		if err != nil {
			t.Fatal(err)
		}
		if second.Employee.ID != first.Employee.ID || second.Code == first.Code {
			t.Fatal("a second invitation must reuse the employee and have its own code")
		}
		emp, err := s.Employee(ctx, tn.ID, first.Employee.ID)
		if err != nil || emp.Name != "Anna Berg" || emp.ManagedAppleID != "anna@appleid.musterstadt.example" {
			t.Fatalf("employee after second invitation: %+v, %v", emp, err)
		}
		stored, err := s.Invitation(ctx, tn.ID, second.Invitation.ID)
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
		if _, err := svc.Invite(ctx, "cli:root", tn, mdm.InviteRequest{Email: "jo@musterstadt.example", ManagedAppleID: "jo@appleid.example"}); err != nil {
			t.Fatal(err)
		}
		head, _ := store.TrailOf(s).AuditHead(ctx, tn.ID)
		invitations := store.RawCount(s, "invitations", "tenant_id = ?", tn.ID)

		bad := []mdm.InviteRequest{
			{Email: "jo@musterstadt.example", ManagedAppleID: "someone.else@appleid.example"}, // conflicts with the known account
			{Email: "not an address"},
			{Email: "new@musterstadt.example", Platform: "windows"},
			{Email: "new@musterstadt.example", Validity: 365 * 24 * time.Hour},
		}
		for _, req := range bad {
			if _, err := svc.Invite(ctx, "cli:root", tn, req); err == nil {
				t.Errorf("invitation %+v was accepted", req)
			} else if !errors.Is(err, mdm.ErrInvalid) && !errors.Is(err, mdm.ErrConflict) {
				t.Errorf("invitation %+v: unexpected error kind %v", req, err)
			}
		}
		after, _ := store.TrailOf(s).AuditHead(ctx, tn.ID)
		if after.Seq != head.Seq || store.RawCount(s, "invitations", "tenant_id = ?", tn.ID) != invitations ||
			store.RawCount(s, "employees", "email = ?", "new@musterstadt.example") != 0 {
			t.Fatal("a refused invitation left rows or audit events behind")
		}
	})
}

func TestTenantNamesAreUnique(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		svc := newService(s)
		storetest.Tenant(t, svc, "musterstadt")
		if _, err := svc.CreateTenant(context.Background(), "test", "musterstadt", "Again"); !errors.Is(err, mdm.ErrConflict) {
			t.Fatalf("second tenant with the same name: %v, want ErrConflict", err)
		}
		if n := store.RawCount(s, "tenants", "1 = 1"); n != 1 {
			t.Fatalf("%d tenants, want 1", n)
		}
		if n := store.RawCount(s, "audit_heads", "1 = 1"); n != 1 {
			t.Fatalf("%d audit heads, want 1", n)
		}
	})
}
