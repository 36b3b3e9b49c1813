package main

import (
	"testing"
)

func TestTenantCreate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)

		r := s.run(t, "tenant", "create", "musterstadt", "--display-name", "Stadt Musterstadt", "--json")
		r.wantCode(t, 0)
		var created struct {
			ID          string `json:"id"`
			Name        string `json:"name"`
			DisplayName string `json:"display_name"`
		}
		r.decode(t, &created)
		if created.Name != "musterstadt" || created.DisplayName != "Stadt Musterstadt" || created.ID == "" {
			t.Errorf("tenant create printed %+v, want name musterstadt, display name Stadt Musterstadt and an id", created)
		}

		r = s.run(t, "tenant", "list", "--json")
		r.wantCode(t, 0)
		var list struct {
			Tenants []struct {
				Name string `json:"name"`
			} `json:"tenants"`
		}
		r.decode(t, &list)
		var names []string
		for _, tn := range list.Tenants {
			names = append(names, tn.Name)
		}
		if len(names) != 2 || names[0] != "default" || names[1] != "musterstadt" {
			t.Errorf("tenant list shows %v, want [default musterstadt]", names)
		}

		if got := s.auditEvents(t)["musterstadt"]; got != 1 {
			t.Errorf("the new tenant's audit trail has %d events, want 1 (its creation)", got)
		}
	})
}

func TestTenantCreateRefusesATakenName(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		s.run(t, "tenant", "create", "musterstadt").wantCode(t, 0)

		r := s.run(t, "tenant", "create", "musterstadt", "--display-name", "Zweite Musterstadt")
		r.wantCode(t, exitFailed)
		r.wantStderr(t, `a tenant named "musterstadt" exists already`)

		if got := s.auditEvents(t)["musterstadt"]; got != 1 {
			t.Errorf("the tenant's audit trail has %d events after the refused second creation, want 1", got)
		}
	})
}
