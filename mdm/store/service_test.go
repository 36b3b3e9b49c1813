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
