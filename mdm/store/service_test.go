package store_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// A new installation gets the tenant "default" and one administrator, once; the
// credentials shown work, and none of them is stored readably.
func TestBootstrapCreatesTheFirstAdministratorOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(s)
		creds, err := svc.Bootstrap(ctx, "IT@Musterstadt.example")
		if err != nil || creds == nil {
			t.Fatalf("first bootstrap: %v, %v", creds, err)
		}
		again, err := svc.Bootstrap(ctx, "other@musterstadt.example")
		if err != nil || again != nil {
			t.Fatalf("second bootstrap must do nothing: %v, %v", again, err)
		}
		tn, err := svc.Tenant(ctx, mdm.DefaultTenant)
		if err != nil {
			t.Fatal(err)
		}
		admins, err := s.Admins(ctx, tn.ID)
		if err != nil || len(admins) != 1 {
			t.Fatalf("admins: %+v, %v", admins, err)
		}
		a := admins[0]
		if a.Email != "it@musterstadt.example" || a.Role != mdm.RoleAdmin || !a.MustChangePassword {
			t.Fatalf("first admin: %+v", a)
		}
		right, err1 := a.CheckPassword(creds.Password)
		wrong, err2 := a.CheckPassword(creds.Password + "x")
		if err1 != nil || err2 != nil || !right || wrong {
			t.Fatal("the printed password does not work, or a wrong one does")
		}
		if bytes.Contains([]byte(a.PasswordHash), []byte(creds.Password)) || !bytes.HasPrefix(a.TOTPSecret, []byte("admin-totp:"+a.ID)) {
			t.Fatal("the password is stored readably, or the second factor was not sealed for this administrator")
		}
		secret, err := domain.New(s, storetest.PlainSealer{}, storetest.Platforms()).TOTPSecret(a)
		if err != nil || secret != creds.TOTPSecret {
			t.Fatalf("second-factor secret: %q, %v", secret, err)
		}
		code, err := totp.GenerateCode(secret, time.Now())
		if err != nil || !totp.Validate(code, creds.TOTPSecret) {
			t.Fatalf("a code from the printed secret does not validate: %v", err)
		}
		r, err := svc.VerifyTenantAudit(ctx, tn)
		if err != nil || r.Break != nil || r.Events != 2 {
			t.Fatalf("bootstrap must leave two audited events (tenant, admin): %+v, %v", r, err)
		}
	})
}

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
		emp, err := s.Employee(ctx, tn.ID, first.Employee.ID)
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
		head, _ := s.AuditHead(ctx, tn.ID)
		invitations := store.RawCount(s, "invitations", "tenant_id = ?", tn.ID)

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
		after, _ := s.AuditHead(ctx, tn.ID)
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
