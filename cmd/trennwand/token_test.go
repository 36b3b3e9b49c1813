package main

import (
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// An administrator makes a token for a script: it is printed once, works for its tenant
// and role, shows its last use, and stops working when revoked.
func TestTokenCreateListRevoke(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		r := s.run(t, "token", "create", "--tenant", "default", "--role", "helpdesk", "--name", "inventory", "--json")
		r.wantCode(t, 0)
		var created struct {
			Token, ID, Tenant, Role string
		}
		r.decode(t, &created)
		if !strings.HasPrefix(created.Token, "twk_") || created.Tenant != "default" || created.Role != "helpdesk" {
			t.Fatalf("token create printed %+v", created)
		}
		svc := domain.New(s.store(t), storetest.PlainSealer{}, storetest.Platforms())
		who, err := svc.Access.AuthenticateToken(t.Context(), created.Token)
		if err != nil || who.Role != mdm.RoleHelpdesk || who.Actor != "token:"+created.ID {
			t.Fatalf("the printed token authenticates as %+v, %v", who, err)
		}

		r = s.run(t, "token", "list", "--tenant", "default", "--json")
		r.wantCode(t, 0)
		if strings.Contains(r.stdout, created.Token) || !strings.Contains(r.stdout, `"last_used_at": "`) {
			t.Errorf("token list must show the last use and never the token:\n%s", r.stdout)
		}

		s.run(t, "token", "revoke", "--tenant", "default", created.ID).wantCode(t, 0)
		if _, err := svc.Access.AuthenticateToken(t.Context(), created.Token); err == nil {
			t.Error("a revoked token still authenticates")
		}
	})
}

func TestTokenCreateRefusesWrongRoles(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	s.run(t, "token", "create", "--tenant", "default", "--role", "root").wantCode(t, exitUsage)
	s.run(t, "token", "create", "--tenant", "default", "--role", "provider").wantCode(t, exitUsage)
	s.run(t, "token", "create", "--role", "admin").wantCode(t, exitUsage)
	r := s.run(t, "token", "create", "--role", "provider", "--json")
	r.wantCode(t, 0)
	var created struct{ Token, Tenant string }
	r.decode(t, &created)
	if created.Token == "" || created.Tenant != "" {
		t.Errorf("provider token = %+v, want a token of no tenant", created)
	}
}
