package main

import (
	"maps"
	"testing"

	"github.com/trennwand/trennwand/mdm"
)

func TestWrongArgumentsExitWithTwoAndWriteNothing(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // on stderr
	}{
		{"tenant name with capitals", []string{"tenant", "create", "Musterstadt"}, `tenant name "Musterstadt"`},
		{"tenant name with a trailing hyphen", []string{"tenant", "create", "muster-"}, `tenant name "muster-"`},
		{"tenant without a name", []string{"tenant", "create"}, "takes 1 argument(s) (NAME), got 0"},
		{"two tenant names", []string{"tenant", "create", "a", "b"}, "takes 1 argument(s) (NAME), got 2"},
		{"unknown role", []string{"admin", "create", "--tenant", "default", "--email", "it@musterstadt.de", "--role", "root"},
			`role "root": use admin, helpdesk or dpo`},
		{"admin without e-mail", []string{"admin", "create", "--tenant", "default"}, "--email is required"},
		{"admin without tenant", []string{"admin", "create", "--email", "it@musterstadt.de"}, "--tenant is required"},
		{"admin e-mail that is none", []string{"admin", "create", "--tenant", "default", "--email", "Jo <jo@musterstadt.de>"},
			"is not an e-mail address"},
		{"invitation for windows", []string{"invite", "create", "--tenant", "default", "--email", "anna@musterstadt.de", "--platform", "windows"},
			`platform "windows": use ios, android or any`},
		{"invitation valid for no day", []string{"invite", "create", "--tenant", "default", "--email", "anna@musterstadt.de", "--valid-days", "0"},
			"--valid-days 0"},
		{"invitation valid for a year", []string{"invite", "create", "--tenant", "default", "--email", "anna@musterstadt.de", "--valid-days", "365"},
			"--valid-days 365"},
		{"devices of an unknown platform", []string{"device", "list", "--tenant", "default", "--platform", "windows"},
			`platform "windows": use ios or android`},
		{"devices in an unknown state", []string{"device", "list", "--tenant", "default", "--state", "lost"}, `device state "lost"`},
		{"lock without a device", []string{"device", "lock", "--tenant", "default", "--reason", "lost"}, "takes 1 argument(s) (DEVICE), got 0"},
		{"lock without a reason", []string{"device", "lock", "--tenant", "default", mdm.NewID()}, "state a reason"},
		{"audit verify with an argument", []string{"audit", "verify", "default"}, "takes 0 argument(s)"},
	}
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		before := s.auditEvents(t)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := s.run(t, tt.args...)
				r.wantCode(t, exitUsage)
				r.wantStderr(t, tt.want)
				if r.stdout != "" {
					t.Errorf("stdout is %q, want nothing", r.stdout)
				}
			})
		}
		if after := s.auditEvents(t); !maps.Equal(before, after) {
			t.Errorf("audit events per tenant went from %v to %v: a refused command wrote something", before, after)
		}
	})
}

func TestAnUnknownTenantIsNamedAndNothingIsWritten(t *testing.T) {
	commands := [][]string{
		{"admin", "create", "--tenant", "nowhere", "--email", "it@musterstadt.de", "--role", "admin"},
		{"invite", "create", "--tenant", "nowhere", "--email", "anna@musterstadt.de", "--qr", "-"},
		{"device", "list", "--tenant", "nowhere"},
		{"audit", "verify", "--tenant", "nowhere"},
	}
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		before := s.auditEvents(t)
		for _, args := range commands {
			r := s.run(t, args...)
			r.wantCode(t, exitFailed)
			r.wantStderr(t, `no tenant named "nowhere"`, "trennwand tenant list")
		}
		if after := s.auditEvents(t); !maps.Equal(before, after) {
			t.Errorf("audit events per tenant went from %v to %v: a refused command wrote something", before, after)
		}
		var admins int64
		if err := s.sql(t).Table("admins").Count(&admins).Error; err != nil {
			t.Fatal(err)
		}
		if admins != 1 {
			t.Errorf("%d administrators stored, want only the first one", admins)
		}
	})
}
