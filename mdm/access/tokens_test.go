package access_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// An API token works until it expires or is revoked; the database keeps only its hash,
// and its last use is recorded.
func TestAPITokenLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
		svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithClock(func() time.Time { return now }))
		tn := storetest.Tenant(t, svc, "musterstadt")
		tok, secret, err := svc.Access.CreateToken(ctx, "test", &tn, access.TokenRequest{Name: "inventory", Role: mdm.RoleHelpdesk})
		if err != nil {
			t.Fatal(err)
		}
		p, err := svc.Access.AuthenticateToken(ctx, secret)
		if err != nil || p.Role != mdm.RoleHelpdesk || p.TenantID != tn.ID || p.Actor != "token:"+tok.ID {
			t.Fatalf("authenticate: %+v, %v", p, err)
		}
		toks, err := svc.Access.Tokens(ctx, tn)
		if err != nil || len(toks) != 1 || toks[0].LastUsedAt == nil || !toks[0].LastUsedAt.Equal(now) {
			t.Fatalf("tokens after use: %+v, %v", toks, err)
		}
		if string(toks[0].Hash) == secret {
			t.Error("the token is stored readably")
		}
		wrong := secret[:len(secret)-1] + "a"
		if wrong == secret {
			wrong = secret[:len(secret)-1] + "b"
		}
		if _, err := svc.Access.AuthenticateToken(ctx, wrong); !errors.Is(err, mdm.ErrUnauthenticated) {
			t.Errorf("a wrong token: %v, want ErrUnauthenticated", err)
		}
		if err := svc.Access.RevokeToken(ctx, "test", tn, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Access.AuthenticateToken(ctx, secret); !errors.Is(err, mdm.ErrUnauthenticated) {
			t.Errorf("a revoked token: %v, want ErrUnauthenticated", err)
		}
		other := storetest.Tenant(t, svc, "nachbarort")
		if err := svc.Access.RevokeToken(ctx, "test", other, tok.ID); !errors.Is(err, mdm.ErrNotFound) {
			t.Errorf("revoking another tenant's token: %v, want ErrNotFound", err)
		}

		_, expiring, err := svc.Access.CreateToken(ctx, "test", &tn, access.TokenRequest{Role: mdm.RoleAdmin, Validity: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour)
		if _, err := svc.Access.AuthenticateToken(ctx, expiring); !errors.Is(err, mdm.ErrUnauthenticated) {
			t.Errorf("an expired token: %v, want ErrUnauthenticated", err)
		}
	})
}
