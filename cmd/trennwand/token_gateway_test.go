package main

import (
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// IT makes a token for the mail gateway: it carries the gateway role, which may ask about
// device certificates and nothing else, and it needs a tenant.
func TestTokenForAMailGateway(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		r := s.run(t, "token", "create", "--tenant", "default", "--role", "gateway", "--name", "mail-gateway", "--json")
		r.wantCode(t, 0)
		var created struct{ Token, Role string }
		r.decode(t, &created)
		svc := domain.New(s.store(t), storetest.PlainSealer{}, storetest.Platforms())
		who, err := svc.Access.AuthenticateToken(t.Context(), created.Token)
		if err != nil || who.Role != mdm.RoleGateway || !who.Can(mdm.PermAccessCheck) || who.Can(mdm.PermDevicesRead) {
			t.Fatalf("the gateway token authenticates as %+v, %v", who, err)
		}
		s.run(t, "token", "create", "--role", "gateway").wantCode(t, 2)
	})
}
