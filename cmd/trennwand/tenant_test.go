package main

import (
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm/store/storetest"
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

// IT names the employer as employees know it, instead of the technical name "default";
// a flag not given keeps what is set, and each change is audited.
func TestTenantContactsSetTheEmployersName(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	before := s.auditEvents(t)["default"]
	r := s.run(t, "tenant", "contacts", "--tenant", "default", "--display-name", "Stadt Musterstadt",
		"--privacy-contact", "Datenschutz Musterstadt, datenschutz@musterstadt.de", "--json")
	r.wantCode(t, 0)
	var out map[string]string
	r.decode(t, &out)
	if out["display_name"] != "Stadt Musterstadt" || out["privacy_contact"] != "Datenschutz Musterstadt, datenschutz@musterstadt.de" {
		t.Errorf("contacts printed %v", out)
	}
	r = s.run(t, "tenant", "contacts", "--tenant", "default", "--operator", "KommunalIT Nord", "--json")
	r.wantCode(t, 0)
	r.decode(t, &out)
	if out["display_name"] != "Stadt Musterstadt" || out["operator"] != "KommunalIT Nord" || out["privacy_contact"] == "" {
		t.Errorf("a change of the operator alone printed %v", out)
	}
	if got := s.auditEvents(t)["default"]; got != before+2 {
		t.Errorf("%d audit events, want 2", got-before)
	}
	r = s.run(t, "tenant", "contacts", "--tenant", "default", "--display-name", strings.Repeat("x", 201))
	r.wantCode(t, exitUsage)
	r.wantStderr(t, "the employer's name may have at most 200 characters")
}
