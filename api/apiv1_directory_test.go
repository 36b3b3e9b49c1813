package api_test

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/directory"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// oneLDAP is a directory of one person that refuses every password but "secret".
type oneLDAP struct{}

func (oneLDAP) Check(c directory.Config) error {
	if !strings.HasPrefix(c.LDAPURL, "ldap") {
		return errors.New("the LDAP address must be ldaps:// or ldap://")
	}
	return nil
}

func (oneLDAP) Read(_ context.Context, _ directory.Config, password string) ([]directory.Entry, error) {
	if password != "secret" {
		return nil, errors.New("invalid credentials")
	}
	return []directory.Entry{{ExternalID: "guid-1", UserName: "anna", Email: "anna@musterstadt.example", Enabled: true}}, nil
}

const directorySettings = `{"ldap_url":"ldaps://dc1.musterstadt.example","bind_dn":"cn=sync","bind_password":"secret","base_dn":"dc=musterstadt"}`

// directoryForm is the dashboard's settings form for oneLDAP.
func directoryForm() url.Values {
	return url.Values{"ldap_url": {"ldaps://dc1.musterstadt.example"}, "bind_dn": {"cn=sync"}, "bind_password": {"secret"},
		"base_dn": {"dc=musterstadt"}}
}

// directorySet gives the tenant a directory read by oneLDAP.
func directorySet(w *apiWorld, tn mdm.Tenant) {
	w.svc.Directory.UseSource(oneLDAP{})
	c := directory.Config{LDAPURL: "ldaps://dc1.musterstadt.example", BindDN: "cn=sync", BaseDN: "dc=musterstadt"}
	if _, err := w.svc.Directory.SetConfig(context.Background(), "test", tn, c, "secret"); err != nil {
		w.t.Fatal(err)
	}
}

// IT sets the directory through the API: a wrong password is a problem+json answer and
// stores nothing; the right one is stored and never answered; a dry run reports the
// joiner and changes nothing.
func TestTheDirectoryThroughTheAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		w.svc.Directory.UseSource(oneLDAP{})
		admin := w.tokens[mdm.RoleAdmin]
		wrong := strings.Replace(directorySettings, `"secret"`, `"guess"`, 1)
		if code, answer := w.send(http.MethodPut, "/api/v1/directory", admin, "application/json", wrong); code != http.StatusBadRequest ||
			!strings.Contains(answer, "cannot be read") {
			t.Fatalf("wrong password: %d %s", code, answer)
		}
		if n := storetest.Count(t, s, "directory_configs", "1 = 1"); n != 0 {
			t.Fatalf("%d settings stored after a refusal", n)
		}
		code, answer := w.send(http.MethodPut, "/api/v1/directory", admin, "application/json", directorySettings)
		if code != http.StatusOK || strings.Contains(answer, "secret") || !strings.Contains(answer, `"password_set":true`) {
			t.Fatalf("set: %d %s", code, answer)
		}
		code, answer = w.send(http.MethodPost, "/api/v1/directory/sync", admin, "application/json", `{"dry_run":true}`)
		if code != http.StatusOK || !strings.Contains(answer, `"email":"anna@musterstadt.example"`) {
			t.Fatalf("dry run: %d %s", code, answer)
		}
		if n := storetest.Count(t, s, "directory_people", "1 = 1"); n != 0 {
			t.Fatalf("a dry run stored %d people", n)
		}
	})
}

// The tenant's own CA for its directory goes through the API too: text without a
// certificate is a problem+json answer that stores nothing; a certificate is stored with
// the settings and answered.
func TestTheDirectorysOwnCAThroughTheAPI(t *testing.T) {
	ts := httptest.NewTLSServer(http.NotFoundHandler())
	ca := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}))
	ts.Close()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		w.svc.Directory.UseSource(oneLDAP{})
		admin := w.tokens[mdm.RoleAdmin]
		with := func(caPEM string) string {
			b, _ := json.Marshal(caPEM)
			return strings.Replace(directorySettings, `"bind_dn"`, `"ca_pem":`+string(b)+`,"bind_dn"`, 1)
		}
		if code, answer := w.send(http.MethodPut, "/api/v1/directory", admin, "application/json", with("the CA is on the intranet")); code != http.StatusBadRequest ||
			!strings.Contains(answer, "no certificate") {
			t.Fatalf("a CA without a certificate: %d %s", code, answer)
		}
		if n := storetest.Count(t, s, "directory_configs", "1 = 1"); n != 0 {
			t.Fatalf("%d settings stored after a refusal", n)
		}
		if code, answer := w.send(http.MethodPut, "/api/v1/directory", admin, "application/json", with(ca)); code != http.StatusOK {
			t.Fatalf("set with the CA: %d %s", code, answer)
		}
		c, err := w.svc.Directory.TenantConfig(context.Background(), w.tenant)
		if err != nil || c.CAPEM != ca {
			t.Fatalf("stored CA %q (%v), want the certificate", c.CAPEM, err)
		}
	})
}
