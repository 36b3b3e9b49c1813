package api_test

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// matrixRoute is one route of the JSON API as the role matrix sees it: who may call it, how
// to make a row for it to act on (id), and a valid body.
type matrixRoute struct {
	allowed []mdm.Role
	id      func(w *apiWorld, tn mdm.Tenant) string // nil: the route takes no ID
	body    func(w *apiWorld, tn mdm.Tenant, id string) string
	// contentType is the body's, when it is not JSON.
	contentType string
	// prepare makes what a route without an ID reads, for example a setting.
	prepare func(w *apiWorld, tn mdm.Tenant)
}

var (
	anyone      = []mdm.Role{mdm.RoleAdmin, mdm.RoleHelpdesk, mdm.RoleDPO, mdm.RoleProvider, mdm.RoleGateway}
	gateway     = []mdm.Role{mdm.RoleGateway}
	adminOnly   = []mdm.Role{mdm.RoleAdmin}
	withDevices = []mdm.Role{mdm.RoleAdmin, mdm.RoleHelpdesk}
	withAudit   = []mdm.Role{mdm.RoleAdmin, mdm.RoleDPO}
	provider    = []mdm.Role{mdm.RoleProvider}
)

func deviceID(w *apiWorld, tn mdm.Tenant) string     { return w.device(tn).ID }
func employeeID(w *apiWorld, tn mdm.Tenant) string   { return w.employee(tn).ID }
func invitationID(w *apiWorld, tn mdm.Tenant) string { return w.invitation(tn).ID }
func policyID(w *apiWorld, tn mdm.Tenant) string     { return w.policy(tn).ID }
func tokenID(w *apiWorld, tn mdm.Tenant) string      { return w.token(tn).ID }

// companyDeviceID makes an active company-owned device of the tenant, which the actions
// on the whole phone may reach.
func companyDeviceID(w *apiWorld, tn mdm.Tenant) string {
	return w.ownedDevice(tn, mdm.OwnershipCompany).ID
}

// invitedCompanyDeviceID makes an invited company-owned Android device of the tenant, which
// IT may set up with its provisioning code.
func invitedCompanyDeviceID(w *apiWorld, tn mdm.Tenant) string {
	return w.deviceIn(tn, mdm.OwnershipCompany, mdm.DeviceInvited).ID
}

func reason(*apiWorld, mdm.Tenant, string) string { return `{"reason":"phone reported lost"}` }

// helpdeskAdminID creates a dashboard administrator with the helpdesk role in the tenant.
func helpdeskAdminID(w *apiWorld, tn mdm.Tenant) string {
	a, _, err := w.svc.Access.CreateAdmin(context.Background(), "test", tn, mdm.NewID()+"@example.org", mdm.RoleHelpdesk)
	if err != nil {
		w.t.Fatal(err)
	}
	return a.ID
}

// pendingEmail creates a pending invitation in the tenant and returns the body naming
// its employee's address.
func pendingEmail(w *apiWorld, tn mdm.Tenant, _ string) string {
	email := mdm.NewID() + "@example.org"
	if _, err := w.svc.Enrolment.Invite(context.Background(), "test", tn, enrolment.InviteRequest{Email: email}); err != nil {
		w.t.Fatal(err)
	}
	return fmt.Sprintf(`{"email":%q}`, email)
}

// pushCertificate uploads the tenant's push certificate to the Apple fake.
func pushCertificate(w *apiWorld, tn mdm.Tenant) {
	if _, err := w.apple.SetPushCertificate(context.Background(), "test", tn.ID, []byte(fakePushPEM), []byte(fakeKeyPEM)); err != nil {
		w.t.Fatal(err)
	}
}

// androidBound binds the tenant to an enterprise in the Android fake.
func androidBound(w *apiWorld, tn mdm.Tenant) {
	if _, err := w.android.Bind(context.Background(), "test", tn, "enterprises/LC0"+tn.Name, "projects/p/topics/t"); err != nil {
		w.t.Fatal(err)
	}
}

// roleMatrix is the specification of who may do what, one entry for every route of the
// JSON API. A route that is added without an entry here fails the test.
var roleMatrix = map[string]matrixRoute{
	"GET /api/v1/me":                               {allowed: anyone},
	"GET /api/v1/overview":                         {allowed: withDevices},
	"GET /api/v1/devices":                          {allowed: withDevices},
	"GET /api/v1/devices/:id":                      {allowed: withDevices, id: deviceID},
	"POST /api/v1/devices/:id/lock":                {allowed: adminOnly, id: deviceID, body: reason},
	"PATCH /api/v1/devices/:id":                    {allowed: adminOnly, id: deviceID, body: func(*apiWorld, mdm.Tenant, string) string { return `{"ownership":"personal"}` }},
	"POST /api/v1/devices/:id/lock-phone":          {allowed: adminOnly, id: companyDeviceID, body: reason},
	"POST /api/v1/devices/:id/wipe":                {allowed: adminOnly, id: companyDeviceID, body: reason},
	"GET /api/v1/devices/:id/provisioning":         {allowed: adminOnly, id: invitedCompanyDeviceID},
	"POST /api/v1/devices/:id/reset-passcode":      {allowed: withDevices, id: deviceID, body: reason},
	"POST /api/v1/devices/:id/remove-work-data":    {allowed: adminOnly, id: deviceID, body: reason},
	"POST /api/v1/devices/:id/revoke-certificates": {allowed: adminOnly, id: deviceID, body: reason},
	"PUT /api/v1/devices/:id/policy": {allowed: adminOnly, id: deviceID, body: func(w *apiWorld, tn mdm.Tenant, _ string) string {
		return fmt.Sprintf(`{"policy_id":%q}`, w.policy(tn).ID)
	}},
	"GET /api/v1/employees":     {allowed: withDevices},
	"GET /api/v1/employees/:id": {allowed: withDevices, id: employeeID},
	"GET /api/v1/invitations":   {allowed: withDevices},
	"POST /api/v1/invitations": {allowed: withDevices, body: func(*apiWorld, mdm.Tenant, string) string {
		return fmt.Sprintf(`{"email":"%s@example.org","platform":"android"}`, mdm.NewID())
	}},
	"POST /api/v1/invitations/:id/revoke": {allowed: withDevices, id: invitationID},
	"GET /api/v1/policies":                {allowed: adminOnly},
	"POST /api/v1/policies": {allowed: adminOnly, body: func(*apiWorld, mdm.Tenant, string) string {
		return fmt.Sprintf(`{"name":"Policy %s","apps":[{"platform":"android","app_id":"com.example.mail","install_type":"required","managed_config":{"server":"mail.example.org"}}]}`, mdm.NewID())
	}},
	"GET /api/v1/policies/:id": {allowed: adminOnly, id: policyID},
	"PUT /api/v1/policies/:id": {allowed: adminOnly, id: policyID, body: func(*apiWorld, mdm.Tenant, string) string {
		return fmt.Sprintf(`{"name":"Renamed %s","version":1}`, mdm.NewID())
	}},
	"GET /api/v1/audit/events":                         {allowed: withAudit},
	"GET /api/v1/audit/export":                         {allowed: withAudit},
	"GET /api/v1/employees/:id/report":                 {allowed: withAudit, id: employeeID},
	"GET /api/v1/data-protection":                      {allowed: withAudit},
	"GET /api/v1/data-protection/record-of-processing": {allowed: withAudit},
	"GET /api/v1/data-protection/dpia":                 {allowed: withAudit},
	"GET /api/v1/data-protection/agreement":            {allowed: withAudit},
	"GET /api/v1/data-protection/bsi":                  {allowed: withAudit},
	"PUT /api/v1/data-protection": {allowed: adminOnly, body: func(*apiWorld, mdm.Tenant, string) string {
		return `{"device_retention_days":30,"audit_retention_years":3,"inactivity_days":60,"inactivity_grace_days":14,"inactivity_action":"lock"}`
	}},
	"GET /api/v1/siem":      {allowed: withAudit},
	"GET /api/v1/directory": {allowed: adminOnly},
	"PUT /api/v1/directory": {allowed: adminOnly, prepare: directorySet, body: func(*apiWorld, mdm.Tenant, string) string {
		return directorySettings
	}},
	"POST /api/v1/directory/test": {allowed: adminOnly, prepare: directorySet, body: func(*apiWorld, mdm.Tenant, string) string {
		return directorySettings
	}},
	"PUT /api/v1/directory/rules": {allowed: adminOnly, body: func(*apiWorld, mdm.Tenant, string) string { return `{"rules":[]}` }},
	"POST /api/v1/directory/sync": {allowed: adminOnly, prepare: directorySet, body: func(*apiWorld, mdm.Tenant, string) string {
		return `{"dry_run":true}`
	}},
	"PUT /api/v1/siem":            {allowed: adminOnly, body: func(*apiWorld, mdm.Tenant, string) string { return `{"on":true}` }},
	"GET /api/v1/apple/vpp-token": {allowed: adminOnly},
	"PUT /api/v1/apple/vpp-token": {allowed: adminOnly, body: func(*apiWorld, mdm.Tenant, string) string {
		return `{"token":"Stadt Musterstadt"}`
	}},
	"GET /api/v1/apple/dep-token": {allowed: adminOnly},
	"PUT /api/v1/apple/dep-token": {allowed: adminOnly, body: func(*apiWorld, mdm.Tenant, string) string {
		return `{"token":"Stadt Musterstadt"}`
	}},
	"GET /api/v1/apple/dep-token/certificate":      {allowed: adminOnly},
	"POST /api/v1/apple/dep-token/sync":            {allowed: adminOnly},
	"GET /api/v1/apple/dep-devices":                {allowed: adminOnly},
	"GET /api/v1/apple/vpp-assets":                 {allowed: adminOnly},
	"POST /api/v1/apple/vpp-assets/sync":           {allowed: adminOnly},
	"GET /api/v1/devices/:id/compliance":           {allowed: withDevices, id: deviceID},
	"GET /api/v1/policies/:id/compliance":          {allowed: adminOnly, id: policyID},
	"PUT /api/v1/policies/:id/compliance":          {allowed: adminOnly, id: policyID, body: rulesBody},
	"POST /api/v1/policies/:id/compliance/preview": {allowed: adminOnly, id: policyID, body: rulesBody},
	"GET /api/v1/access/certificates/:id":          {allowed: gateway, id: certificateSerial},
	"POST /api/v1/access/certificate": {allowed: gateway, body: func(w *apiWorld, tn mdm.Tenant, _ string) string {
		return certificatePEM(w, tn)
	}},
	"GET /api/v1/tokens":                                 {allowed: adminOnly},
	"POST /api/v1/tokens":                                {allowed: adminOnly, body: func(*apiWorld, mdm.Tenant, string) string { return `{"role":"dpo","name":"export"}` }},
	"POST /api/v1/tokens/:id/revoke":                     {allowed: adminOnly, id: tokenID},
	"GET /api/v1/tenants":                                {allowed: provider},
	"POST /api/v1/devices/:id/allow-certificate-renewal": {allowed: adminOnly, id: deviceID, body: reason},
	"POST /api/v1/invitations/import": {allowed: withDevices, contentType: "text/csv", body: func(*apiWorld, mdm.Tenant, string) string {
		return "email;platform\n" + mdm.NewID() + "@example.org;android\n"
	}},
	"POST /api/v1/invitations/resend":         {allowed: withDevices, body: pendingEmail},
	"POST /api/v1/invitations/reissue-unsent": {allowed: withDevices},
	"GET /api/v1/data-protection/employees":   {allowed: withAudit},
	"GET /api/v1/data-protection/access-log":  {allowed: withAudit},
	"GET /api/v1/admins":                      {allowed: adminOnly},
	"POST /api/v1/admins": {allowed: adminOnly, body: func(*apiWorld, mdm.Tenant, string) string {
		return fmt.Sprintf(`{"email":"%s@example.org","role":"helpdesk"}`, mdm.NewID())
	}},
	"POST /api/v1/admins/:id/disable":             {allowed: adminOnly, id: helpdeskAdminID},
	"POST /api/v1/admins/:id/reset-second-factor": {allowed: adminOnly, id: helpdeskAdminID, body: reason},
	"GET /api/v1/contacts":                        {allowed: adminOnly},
	"PUT /api/v1/admins/:id/break-glass": {allowed: adminOnly, id: helpdeskAdminID, body: func(*apiWorld, mdm.Tenant, string) string {
		return `{"on":true}`
	}},
	"GET /api/v1/sso":       {allowed: adminOnly, prepare: ssoProvider},
	"PUT /api/v1/sso":       {allowed: adminOnly, body: func(*apiWorld, mdm.Tenant, string) string { return ssoBody }},
	"POST /api/v1/sso/test": {allowed: adminOnly, body: func(*apiWorld, mdm.Tenant, string) string { return `{"issuer":"https://127.0.0.1:1"}` }},
	"PUT /api/v1/contacts": {allowed: adminOnly, body: func(*apiWorld, mdm.Tenant, string) string {
		return `{"employer":"Stadt Musterstadt","operator":"KDN","privacy_contact":"datenschutz@musterstadt.example"}`
	}},
	"GET /api/v1/lost-mode": {allowed: adminOnly},
	"PUT /api/v1/lost-mode": {allowed: adminOnly, body: func(*apiWorld, mdm.Tenant, string) string {
		return `{"message":"Dieses Telefon gehört der Stadt Musterstadt.","phone_number":"+49 431 123-456","footnote":""}`
	}},
	"GET /api/v1/apple/push-certificate": {allowed: adminOnly, prepare: pushCertificate},
	"PUT /api/v1/apple/push-certificate": {allowed: adminOnly, body: func(*apiWorld, mdm.Tenant, string) string {
		return fmt.Sprintf(`{"certificate":%q,"private_key":%q}`, fakePushPEM, fakeKeyPEM)
	}},
	"GET /api/v1/android/enterprise": {allowed: adminOnly, prepare: androidBound},
	"PUT /api/v1/android/enterprise": {allowed: adminOnly, body: func(*apiWorld, mdm.Tenant, string) string {
		return `{"enterprise":"enterprises/LC01234567"}`
	}},
	"POST /api/v1/android/enterprise/signup": {allowed: adminOnly},
	"POST /api/v1/android/enterprise/web-tokens": {allowed: adminOnly, body: func(*apiWorld, mdm.Tenant, string) string {
		return `{"parent_frame_url":"https://mdm.musterstadt.example"}`
	}},
	// Each enterprise's Google Play has apps of its own (private apps): another tenant's
	// is not found.
	"GET /api/v1/android/apps/:id": {allowed: adminOnly, id: func(w *apiWorld, tn mdm.Tenant) string { return w.play.private(tn) }},
	"POST /api/v1/tenants": {allowed: provider, body: func(*apiWorld, mdm.Tenant, string) string {
		return fmt.Sprintf(`{"name":"t-%s"}`, mdm.NewID())
	}},
}

// Every route of the JSON API answers 401 without credentials, 403 to a role that may not
// use it, 404 for the ID of another tenant's row, and works for the roles that may use it.
func TestEveryRouteKeepsTheRoleMatrixAndTheTenantWall(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		for _, r := range w.srv.Echo().Routes() {
			if !strings.HasPrefix(r.Path, "/api/v1/") || r.Path == "/api/v1/openapi.json" {
				continue
			}
			key := r.Method + " " + r.Path
			m, ok := roleMatrix[key]
			if !ok {
				t.Errorf("%s is not in the role matrix of this test", key)
				continue
			}
			t.Run(key, func(t *testing.T) {
				w.t = t
				request := func(tn mdm.Tenant) (string, string) {
					path, id := r.Path, ""
					if m.id != nil {
						id = m.id(w, tn)
						path = strings.Replace(path, ":id", id, 1)
					}
					body := ""
					if m.body != nil {
						body = m.body(w, tn, id)
					}
					if m.prepare != nil {
						m.prepare(w, tn)
					}
					return path, body
				}
				contentType := cmp.Or(m.contentType, "application/json")
				path, body := request(w.tenant)
				if code, answer := w.send(r.Method, path, "", contentType, body); code != http.StatusUnauthorized {
					t.Errorf("without credentials: %d %s, want 401", code, answer)
				}
				if code, _ := w.send(r.Method, path, "twk_"+strings.Repeat("a", 32), contentType, body); code != http.StatusUnauthorized {
					t.Errorf("with an unknown token: %d, want 401", code)
				}
				for _, role := range anyone {
					path, body := request(w.tenant)
					code, answer := w.send(r.Method, path, w.tokens[role], contentType, body)
					if !slices.Contains(m.allowed, role) {
						if code != http.StatusForbidden {
							t.Errorf("%s: %d %s, want 403", role, code, answer)
						}
						continue
					}
					if code < 200 || code > 299 {
						t.Errorf("%s: %d %s, want success", role, code, answer)
					}
					if m.id == nil || role == mdm.RoleProvider {
						continue
					}
					path, body = request(w.other)
					if code, answer := w.send(r.Method, path, w.tokens[role], contentType, body); code != http.StatusNotFound {
						t.Errorf("%s with another tenant's ID: %d %s, want 404", role, code, answer)
					}
				}
			})
		}
		for key := range roleMatrix {
			method, path, _ := strings.Cut(key, " ")
			if !slices.ContainsFunc(w.srv.Echo().Routes(), func(r *echo.Route) bool { return r.Method == method && r.Path == path }) {
				t.Errorf("the role matrix names %s, which the server does not route", key)
			}
		}
	})
}
