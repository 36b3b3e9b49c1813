package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/api"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// problemBody is an error answer of the JSON API as a client reads it.
type problemBody struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Instance string `json:"instance"`
	Errors   []struct {
		Pointer   string `json:"pointer"`
		Parameter string `json:"parameter"`
		Line      int    `json:"line"`
		Detail    string `json:"detail"`
	} `json:"errors"`
	Rule       string `json:"rule"`
	Permission string `json:"permission"`
	Error      string `json:"error"`
}

// problemOf reads an error answer; it fails the test unless the answer is a problem
// (RFC 9457) whose status is the answer's and whose "error" repeats the detail.
func problemOf(t *testing.T, rec *httptest.ResponseRecorder) problemBody {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type = %q, want application/problem+json (%s)", ct, rec.Body.String())
	}
	var p problemBody
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("the answer is not JSON: %v (%s)", err, rec.Body.String())
	}
	if p.Status != rec.Code || p.Title == "" || p.Error == "" || (p.Detail != "" && p.Error != p.Detail) {
		t.Errorf("problem = %+v, answered with %d", p, rec.Code)
	}
	if !strings.HasPrefix(p.Instance, "urn:trennwand:request:") {
		t.Errorf("instance = %q, want the request's ID", p.Instance)
	}
	return p
}

// Every error of the JSON API is a problem with a stable type a program can act on:
// echo's own refusals (unknown route, wrong method, body too large), the credentials,
// the role, the request's shape, the domain's refusals. None of them is a 500.
func TestEveryAPIErrorIsAProblemWithAStableType(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	admin, helpdesk := w.tokens[mdm.RoleAdmin], w.tokens[mdm.RoleHelpdesk]
	inv := w.invitation(w.tenant)
	if code, body := w.call(http.MethodPost, "/api/v1/invitations/"+inv.ID+"/revoke", admin, ""); code != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", code, body)
	}
	tests := []struct {
		name, method, path, token, body string
		status                          int
		typ                             string
		check                           func(t *testing.T, p problemBody)
	}{
		{name: "no credentials", method: "GET", path: "/api/v1/devices", status: 401, typ: "unauthenticated"},
		{name: "not a bearer token", method: "GET", path: "/api/v1/devices", token: "Basic abc", status: 401, typ: "unauthenticated"},
		{name: "role may not", method: "POST", path: "/api/v1/policies", token: helpdesk, body: `{"name":"X"}`, status: 403, typ: "forbidden",
			check: func(t *testing.T, p problemBody) {
				if p.Permission != string(mdm.PermPoliciesWrite) {
					t.Errorf("permission = %q, want the one the role lacks", p.Permission)
				}
			}},
		{name: "bad parameter", method: "GET", path: "/api/v1/devices?limit=0", token: helpdesk, status: 400, typ: "malformed-request",
			check: func(t *testing.T, p problemBody) {
				if len(p.Errors) != 1 || p.Errors[0].Parameter != "limit" {
					t.Errorf("errors = %+v, want the parameter limit", p.Errors)
				}
			}},
		{name: "bad body member", method: "POST", path: "/api/v1/devices/" + w.device(w.tenant).ID + "/lock", token: admin, body: `{"reason":""}`,
			status: 400, typ: "malformed-request", check: func(t *testing.T, p problemBody) {
				if len(p.Errors) != 1 || p.Errors[0].Pointer != "/reason" {
					t.Errorf("errors = %+v, want the member /reason", p.Errors)
				}
			}},
		{name: "value the domain refuses", method: "POST", path: "/api/v1/invitations", token: admin, body: `{"email":"not an address"}`,
			status: 400, typ: "invalid-value"},
		{name: "legal basis without its law", method: "PUT", path: "/api/v1/data-protection", token: admin,
			body:   `{"device_retention_days":30,"audit_retention_years":3,"inactivity_days":0,"inactivity_grace_days":14,"inactivity_action":"lock","legal_basis":"art6_1_b"}`,
			status: 400, typ: "setting-refused", check: func(t *testing.T, p problemBody) {
				if p.Rule != "legal_basis" {
					t.Errorf("rule = %q, want legal_basis", p.Rule)
				}
			}},
		{name: "another tenant's row", method: "GET", path: "/api/v1/devices/" + w.device(w.other).ID, token: helpdesk, status: 404, typ: "not-found"},
		{name: "unknown route", method: "GET", path: "/api/v1/phones", token: admin, status: 404, typ: "no-such-route"},
		{name: "unknown route without credentials", method: "GET", path: "/api/v1/phones", status: 404, typ: "no-such-route"},
		{name: "wrong method", method: "DELETE", path: "/api/v1/devices", token: admin, status: 405, typ: "method-not-allowed"},
		{name: "wrong state", method: "POST", path: "/api/v1/invitations/" + inv.ID + "/revoke", token: admin, status: 409, typ: "conflict"},
		{name: "body over the limit", method: "POST", path: "/api/v1/invitations", token: admin,
			body: `{"email":"` + strings.Repeat("a", api.MaxBodyBytes) + `"}`, status: 413, typ: "body-too-large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.t = t
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			switch {
			case strings.HasPrefix(tt.token, "Basic "):
				req.Header.Set("Authorization", tt.token)
			case tt.token != "":
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			rec := httptest.NewRecorder()
			w.srv.Echo().ServeHTTP(rec, req)
			w.checkAnswer(req, rec)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body.String())
			}
			if tt.typ == "" {
				return
			}
			p := problemOf(t, rec)
			if p.Type != "urn:trennwand:problem:"+tt.typ {
				t.Errorf("type = %q, want %s", p.Type, tt.typ)
			}
			if tt.status == http.StatusUnauthorized && rec.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if tt.check != nil {
				tt.check(t, p)
			}
		})
	}
}

// The provider, who belongs to no tenant, is refused a tenant's settings as a role that
// may not; a change made with the dashboard's session cookie but without its CSRF token
// is refused with its own type, and with the token it is made.
func TestTenantAndCSRFRefusalsAreProblems(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	req := httptest.NewRequest(http.MethodGet, "/api/v1/contacts", nil)
	req.Header.Set("Authorization", "Bearer "+w.tokens[mdm.RoleProvider])
	rec := httptest.NewRecorder()
	w.srv.Echo().ServeHTTP(rec, req)
	if p := problemOf(t, rec); rec.Code != http.StatusForbidden || p.Type != "urn:trennwand:problem:forbidden" {
		t.Errorf("provider on /contacts: %d %+v", rec.Code, p)
	}

	s := w.session(w.tenant, mdm.RoleAdmin)
	req = httptest.NewRequest(http.MethodPut, "/api/v1/contacts", strings.NewReader(`{"privacy_contact":"dsb@musterstadt.example"}`))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: s.token})
	rec = httptest.NewRecorder()
	w.srv.Echo().ServeHTTP(rec, req)
	if p := problemOf(t, rec); rec.Code != http.StatusForbidden || p.Type != "urn:trennwand:problem:csrf-token-required" {
		t.Errorf("change with the cookie and no CSRF token: %d %+v", rec.Code, p)
	}
	req = httptest.NewRequest(http.MethodPut, "/api/v1/contacts", strings.NewReader(`{"privacy_contact":"dsb@musterstadt.example"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(api.CSRFHeader, s.csrf)
	req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: s.token})
	rec = httptest.NewRecorder()
	w.srv.Echo().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Errorf("change with the cookie and its CSRF token: %d %s", rec.Code, rec.Body.String())
	}
}

// A HEAD request that fails gets the problem's status and content type, and no body.
func TestAProblemAnswersHEADWithoutABody(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	rec := httptest.NewRecorder()
	w.srv.Echo().ServeHTTP(rec, httptest.NewRequest(http.MethodHead, "/api/v1/phones", nil))
	if rec.Code != http.StatusNotFound || rec.Body.Len() != 0 || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("HEAD of an unknown route: %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
}
