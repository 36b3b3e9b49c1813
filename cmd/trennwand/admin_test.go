package main

import (
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/store"
)

func TestAdminCreatePrintsCredentialsThatAreStoredOnlyAsHash(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		s.run(t, "tenant", "create", "musterstadt").wantCode(t, 0)

		r := s.run(t, "admin", "create", "--tenant", "musterstadt", "--email", "Helpdesk@Musterstadt.de",
			"--role", "helpdesk", "--json")
		r.wantCode(t, 0)
		var out struct {
			Tenant     string `json:"tenant"`
			Email      string `json:"email"`
			Role       string `json:"role"`
			Password   string `json:"password"`
			TOTPSecret string `json:"totp_secret"`
			TOTPURL    string `json:"totp_url"`
		}
		r.decode(t, &out)
		if out.Tenant != "musterstadt" || out.Email != "helpdesk@musterstadt.de" || out.Role != "helpdesk" {
			t.Errorf("admin create printed tenant %q, e-mail %q, role %q; want musterstadt, helpdesk@musterstadt.de, helpdesk",
				out.Tenant, out.Email, out.Role)
		}
		if out.Password == "" || out.TOTPSecret == "" || !strings.Contains(out.TOTPURL, "secret="+out.TOTPSecret) {
			t.Errorf("admin create printed password %q, second factor %q, otpauth URL %q; want all three, the URL carrying the secret",
				out.Password, out.TOTPSecret, out.TOTPURL)
		}

		st := s.store(t)
		tn, err := st.Tenants().TenantByName(t.Context(), "musterstadt")
		if err != nil {
			t.Fatal(err)
		}
		a, err := store.AccessOf(st).AdminByEmail(t.Context(), tn.ID, "helpdesk@musterstadt.de")
		if err != nil {
			t.Fatalf("the administrator is not stored: %v", err)
		}
		if a.Role != mdm.RoleHelpdesk || !a.MustChangePassword {
			t.Errorf("stored role %q, must change password %v; want helpdesk, true", a.Role, a.MustChangePassword)
		}
		if ok, err := access.CheckPassword(a, out.Password); err != nil || !ok {
			t.Error("the printed password does not match the stored hash")
		}
		if strings.Contains(a.PasswordHash, out.Password) || strings.Contains(string(a.TOTPSecret), out.TOTPSecret) {
			t.Error("the password or the second factor is stored readably")
		}

		r = s.run(t, "admin", "create", "--tenant", "musterstadt", "--email", "helpdesk@musterstadt.de", "--role", "dpo")
		r.wantCode(t, exitFailed)
		r.wantStderr(t, "has an administrator", "already")
	})
}
