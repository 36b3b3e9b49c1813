package scim_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/api/scim"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/directory"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// client is an identity provider talking to the endpoint with a token.
type client struct {
	t     *testing.T
	url   string
	token string
}

type answer struct {
	status int
	body   map[string]any
	ctype  string
}

func (c client) do(method, path, body string) answer {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.url+scim.Prefix+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/scim+json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	a := answer{status: res.StatusCode, ctype: res.Header.Get("Content-Type")}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &a.body); err != nil {
			c.t.Fatalf("%s %s: %d %s is not JSON", method, path, res.StatusCode, b)
		}
	}
	return a
}

// want fails unless the answer has the status; an error answer must be in SCIM's format.
func (a answer) want(t *testing.T, status int, scimType string) answer {
	t.Helper()
	if a.status != status {
		t.Fatalf("answered %d %v, want %d", a.status, a.body, status)
	}
	if status >= 400 {
		schemas, _ := a.body["schemas"].([]any)
		if len(schemas) != 1 || schemas[0] != "urn:ietf:params:scim:api:messages:2.0:Error" || a.body["status"] != strconv.Itoa(status) ||
			!strings.HasPrefix(a.ctype, "application/scim+json") || (scimType != "" && a.body["scimType"] != scimType) {
			t.Fatalf("error answer %v (%s), want SCIM's error format with scimType %q", a.body, a.ctype, scimType)
		}
	}
	return a
}

type provisioning struct {
	s      *store.Store
	svc    *domain.Services
	w      storetest.World
	kita   mdm.WorkPolicy
	idp    client
	server *httptest.Server
}

func newProvisioning(t *testing.T, s *store.Store) provisioning {
	t.Helper()
	ctx := context.Background()
	p := provisioning{s: s, svc: domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithCertificates(noCA{}))}
	p.w = storetest.Populate(t, s, p.svc, "musterstadt", storetest.WorldTime)
	p.kita = mdm.WorkPolicy{ID: mdm.NewID(), Name: "Kita", CreatedAt: storetest.WorldTime, UpdatedAt: storetest.WorldTime}
	if err := store.WorkPoliciesOf(s).CreateWorkPolicy(ctx, p.w.Tenant.ID, &p.kita); err != nil {
		t.Fatal(err)
	}
	if _, err := p.svc.Directory.SetRules(ctx, "cli:root", p.w.Tenant, []directory.Rule{{GroupName: "Kita", PolicyID: p.kita.ID, AutoInvite: true}}); err != nil {
		t.Fatal(err)
	}
	_, token, err := p.svc.Access.CreateToken(ctx, "cli:root", &p.w.Tenant, access.TokenRequest{Name: "Entra ID", Role: mdm.RoleSCIM})
	if err != nil {
		t.Fatal(err)
	}
	h := scim.New(scim.Config{Authenticate: p.svc.Access.AuthenticateToken, Tenant: p.svc.TenantByID, Directory: p.svc.Directory})
	p.server = httptest.NewServer(h)
	t.Cleanup(p.server.Close)
	p.idp = client{t: t, url: p.server.URL, token: token}
	return p
}

// what counts everything a refused request must leave as it was.
func (p provisioning) what(t *testing.T) [3]int64 {
	return [3]int64{storetest.Count(t, p.s, "directory_people", "1 = 1"), storetest.Count(t, p.s, "invitations", "1 = 1"),
		storetest.Count(t, p.s, "audit_events", "1 = 1")}
}

type noCA struct{}

func (noCA) RevokeEnrolment(context.Context, string, string, string) (int, error) { return 1, nil }

const ben = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ben@musterstadt.example",
	"name":{"givenName":"Ben","familyName":"Beispiel"},"emails":[{"value":"ben@musterstadt.example","primary":true}],"active":true}`

// Entra ID provisions Ben: created, found by userName, put into the Kita group (whose
// rule invites him), disabled with a PATCH as Entra ID writes it (his invitation is
// revoked), and deleted.
func TestAnIdentityProviderProvisionsAnEmployee(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		p := newProvisioning(t, s)
		created := p.idp.do("POST", "/Users", ben).want(t, http.StatusCreated, "")
		id, _ := created.body["id"].(string)
		if id == "" || created.body["displayName"] != "Ben Beispiel" || created.body["active"] != true {
			t.Fatalf("created %v", created.body)
		}
		list := p.idp.do("GET", `/Users?filter=userName+eq+%22BEN@musterstadt.example%22`, "").want(t, http.StatusOK, "")
		if list.body["totalResults"] != float64(1) {
			t.Fatalf("filter found %v", list.body)
		}

		p.idp.do("POST", "/Groups", `{"displayName":"Kita","members":[{"value":"`+id+`"}]}`).want(t, http.StatusCreated, "")
		invitations := func() int64 {
			return storetest.Count(t, s, "invitations i JOIN employees e ON e.id = i.employee_id", "e.email = ? AND i.revoked_at IS NULL", "ben@musterstadt.example")
		}
		if invitations() != 1 {
			t.Fatalf("Ben has %d open invitations after joining the Kita group, want 1", invitations())
		}
		group := p.idp.do("GET", "/Groups/Kita", "").want(t, http.StatusOK, "")
		if ms, _ := group.body["members"].([]any); len(ms) != 1 {
			t.Fatalf("group %v", group.body)
		}

		patch := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`
		if got := p.idp.do("PATCH", "/Users/"+id, patch).want(t, http.StatusOK, ""); got.body["active"] != false {
			t.Fatalf("after disabling: %v", got.body)
		}
		if invitations() != 0 {
			t.Fatal("the disabled employee's invitation is still open")
		}
		if n := storetest.CountEvents(t, s, p.w.Tenant.ID, "directory.leaver"); n != 1 {
			t.Fatalf("%d leaver events, want 1", n)
		}
		p.idp.do("DELETE", "/Users/"+id, "").want(t, http.StatusNoContent, "")
		p.idp.do("GET", "/Users/"+id, "").want(t, http.StatusNotFound, "")
		p.idp.do("GET", "/ServiceProviderConfig", "").want(t, http.StatusOK, "")
		p.idp.do("GET", "/Schemas", "").want(t, http.StatusOK, "")
		p.idp.do("GET", "/ResourceTypes", "").want(t, http.StatusOK, "")
	})
}

// A client's mistakes are answered in SCIM's error format, and change nothing.
func TestBadRequestsAreRefusedInSCIMsFormatAndChangeNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		p := newProvisioning(t, s)
		id, _ := p.idp.do("POST", "/Users", ben).want(t, http.StatusCreated, "").body["id"].(string)
		before := p.what(t)
		cases := []struct {
			method, path, body string
			status             int
			scimType           string
		}{
			{"POST", "/Users", `{"userName":`, 400, "invalidSyntax"},
			{"POST", "/Users", `{"displayName":"No Name"}`, 400, "invalidValue"},
			{"POST", "/Users", `{"userName":"carla","emails":[{"value":"not an address"}]}`, 400, "invalidValue"},
			{"POST", "/Users", `{"userName":"x@musterstadt.example","active":"maybe"}`, 400, "invalidValue"},
			{"POST", "/Users", ben, 409, "uniqueness"},
			{"GET", `/Users?filter=displayName+eq+%22Ben%22`, "", 400, "invalidFilter"},
			{"GET", `/Users?filter=userName+eq+ben`, "", 400, "invalidFilter"},
			{"GET", "/Users?startIndex=0", "", 400, "invalidValue"},
			{"PATCH", "/Users/" + id, `{"Operations":[{"op":"replace","path":"active","value":false}]}`, 400, "invalidSyntax"},
			{"PATCH", "/Users/" + id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"move","path":"active"}]}`, 400, "invalidSyntax"},
			{"PATCH", "/Users/" + id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false},{"op":"replace","path":"password","value":"x"}]}`, 400, "invalidPath"},
			{"PATCH", "/Users/nobody", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`, 404, ""},
			{"POST", "/Groups", `{"displayName":"Kita","members":[{"value":"` + id + `"},{"value":"nobody"}]}`, 400, "invalidValue"},
			{"DELETE", "/Users/nobody", "", 404, ""},
			{"PUT", "/Devices/x", "{}", 404, ""},
		}
		for _, tc := range cases {
			p.idp.do(tc.method, tc.path, tc.body).want(t, tc.status, tc.scimType)
		}
		if after := p.what(t); after != before {
			t.Fatalf("refused requests changed people, invitations, events: %v → %v", before, after)
		}
		for name, token := range map[string]string{"no token": "", "wrong token": "twk_nothing"} {
			c := p.idp
			c.token = token
			if a := c.do("GET", "/Users", ""); a.status != http.StatusUnauthorized {
				t.Errorf("%s: %d", name, a.status)
			}
		}
		_, admin, err := p.svc.Access.CreateToken(context.Background(), "cli:root", &p.w.Tenant, access.TokenRequest{Name: "IT", Role: mdm.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		c := p.idp
		c.token = admin
		c.do("GET", "/Users", "").want(t, http.StatusForbidden, "")
	})
}
