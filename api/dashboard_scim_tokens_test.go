package api_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/api/scim"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// IT makes the identity provider's SCIM token on the tokens page, as on the command line:
// the page says where to enter it in Entra ID or Keycloak, the token provisions at
// /scim/v2/ and opens nothing else, the list names its role, and revoked it is refused.
func TestTokensPageMakesSCIMTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		w.srv.MountSCIM(scim.New(scim.Config{Authenticate: w.svc.Access.AuthenticateToken, Tenant: w.svc.TenantByID, Directory: w.svc.Directory}))
		admin := w.session(w.tenant, mdm.RoleAdmin)
		_, _, form := w.pageIn("en", http.MethodGet, "/ui/settings/tokens", admin, nil)
		if !strings.Contains(form, `<option value="scim">Directory provisioning (SCIM)</option>`) || !strings.Contains(form, "https://mdm.musterstadt.example/scim/v2/") {
			t.Fatalf("the tokens page offers no SCIM token:\n%.3000s", form)
		}
		code, _, body := w.pageIn("en", http.MethodPost, "/ui/settings/tokens", admin, url.Values{"name": {"Entra ID"}, "role": {"scim"}})
		secret := regexp.MustCompile(`id="token">(twk_[a-z2-7]+)<`).FindStringSubmatch(body)
		if code != http.StatusOK || secret == nil || !strings.Contains(body, "Tenant URL") || !strings.Contains(body, "Keycloak") {
			t.Fatalf("creating a SCIM token: %d\n%.1500s", code, body)
		}
		if code, _ := w.call(http.MethodGet, "/scim/v2/ServiceProviderConfig", secret[1], ""); code != http.StatusOK {
			t.Errorf("the SCIM token at /scim/v2/: %d, want 200", code)
		}
		if code, _ := w.call(http.MethodGet, "/api/v1/devices", secret[1], ""); code != http.StatusForbidden {
			t.Errorf("the SCIM token on the device list: %d, want 403", code)
		}
		_, _, list := w.pageIn("en", http.MethodGet, "/ui/settings/tokens", admin, nil)
		row := regexp.MustCompile(`(?s)<tr><td>Entra ID</td>.*?</tr>`).FindString(list)
		id := regexp.MustCompile(`/ui/settings/tokens/([^/]+)/revoke`).FindStringSubmatch(row)
		if !strings.Contains(row, "Directory provisioning (SCIM)") || id == nil {
			t.Fatalf("the list's row of the SCIM token:\n%s", row)
		}
		if code, _, _ := w.page(http.MethodPost, "/ui/settings/tokens/"+id[1]+"/revoke", admin, url.Values{}); code != http.StatusSeeOther {
			t.Fatalf("revoking: %d", code)
		}
		if code, _ := w.call(http.MethodGet, "/scim/v2/ServiceProviderConfig", secret[1], ""); code != http.StatusUnauthorized {
			t.Errorf("the revoked SCIM token: %d, want 401", code)
		}
	})
}
