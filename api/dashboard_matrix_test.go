package api_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// pageRoute is one page or form of the dashboard as the role matrix sees it.
type pageRoute struct {
	allowed []mdm.Role
	id      func(w *apiWorld, tn mdm.Tenant) string
	form    func() url.Values
	// formIn is form for forms that name other rows of the tenant.
	formIn func(w *apiWorld, tn mdm.Tenant) url.Values
	// name fills :id with a name that is the same in every tenant (a document), so the
	// tenant wall is not asked of it.
	name string
}

var tenantRoles = []mdm.Role{mdm.RoleAdmin, mdm.RoleHelpdesk, mdm.RoleDPO}

func confirmed() url.Values { return url.Values{"reason": {"phone lost"}, "confirm": {"yes"}} }

// pageMatrix is who may open which page and send which form; every dashboard route
// behind the sign-in must be here.
var pageMatrix = map[string]pageRoute{
	"GET /ui/":                                       {allowed: tenantRoles},
	"GET /ui/devices":                                {allowed: withDevices},
	"GET /ui/devices/:id":                            {allowed: withDevices, id: deviceID},
	"POST /ui/devices/:id/lock":                      {allowed: adminOnly, id: deviceID, form: confirmed},
	"POST /ui/devices/:id/lock-phone":                {allowed: adminOnly, id: companyDeviceID, form: confirmed},
	"POST /ui/devices/:id/wipe":                      {allowed: adminOnly, id: companyDeviceID, form: confirmed},
	"GET /ui/devices/:id/provisioning.png":           {allowed: adminOnly, id: invitedCompanyDeviceID},
	"POST /ui/devices/:id/reset-passcode":            {allowed: withDevices, id: deviceID, form: confirmed},
	"POST /ui/devices/:id/remove-work-data":          {allowed: adminOnly, id: deviceID, form: confirmed},
	"POST /ui/devices/:id/revoke-certificates":       {allowed: adminOnly, id: deviceID, form: confirmed},
	"POST /ui/devices/:id/allow-certificate-renewal": {allowed: adminOnly, id: deviceID, form: confirmed},
	"POST /ui/devices/:id/policy": {allowed: adminOnly, id: deviceID, formIn: func(w *apiWorld, tn mdm.Tenant) url.Values {
		return url.Values{"policy": {w.policy(tn).ID}}
	}},
	"POST /ui/devices/bulk/move": {allowed: adminOnly, formIn: func(w *apiWorld, tn mdm.Tenant) url.Values {
		return bulkForm(w, tn, "policy", w.policy(tn).ID)
	}},
	"POST /ui/devices/bulk/remove-work-data":  {allowed: adminOnly, formIn: func(w *apiWorld, tn mdm.Tenant) url.Values { return bulkForm(w, tn) }},
	"POST /ui/devices/bulk/resend-invitation": {allowed: withDevices, formIn: func(w *apiWorld, tn mdm.Tenant) url.Values { return bulkForm(w, tn) }},
	"POST /ui/devices/bulk/export":            {allowed: withDevices, formIn: func(w *apiWorld, tn mdm.Tenant) url.Values { return bulkForm(w, tn) }},
	"GET /ui/employees":                       {allowed: withDevices},
	"GET /ui/invitations":                     {allowed: withDevices},
	"POST /ui/invitations": {allowed: withDevices, form: func() url.Values {
		return url.Values{"email": {mdm.NewID() + "@example.org"}, "platform": {"any"}}
	}},
	"POST /ui/invitations/csv": {allowed: withDevices, form: func() url.Values {
		return url.Values{"csv_text": {"email;name\n" + mdm.NewID() + "@example.org;Erika Muster\n"}}
	}},
	"POST /ui/invitations/:id/revoke": {allowed: withDevices, id: invitationID, form: func() url.Values { return url.Values{} }},
	"POST /ui/invitations/letters":    {allowed: withDevices, form: func() url.Values { return url.Values{} }},
	"POST /ui/invitations/resend": {allowed: withDevices, formIn: func(w *apiWorld, tn mdm.Tenant) url.Values {
		inv, err := w.svc.Enrolment.Invite(context.Background(), "test", tn, enrolment.InviteRequest{Email: mdm.NewID() + "@example.org"})
		if err != nil {
			w.t.Fatal(err)
		}
		return url.Values{"email": {inv.Employee.Email}}
	}},
	"GET /ui/policies": {allowed: adminOnly},
	"POST /ui/policies": {allowed: adminOnly, form: func() url.Values {
		return url.Values{"name": {"Policy " + mdm.NewID()}}
	}},
	"GET /ui/policies/:id": {allowed: adminOnly, id: policyID},
	"POST /ui/policies/:id": {allowed: adminOnly, id: policyID, form: func() url.Values {
		return url.Values{"name": {"Renamed " + mdm.NewID()}, "version": {"1"}}
	}},
	"POST /ui/policies/:id/apps": {allowed: adminOnly, id: policyID, form: func() url.Values {
		return url.Values{"name": {"Renamed " + mdm.NewID()}, "version": {"1"}}
	}},
	"POST /ui/policies/:id/apps/remove": {allowed: adminOnly, id: policyID, form: func() url.Values {
		return url.Values{"name": {"Renamed " + mdm.NewID()}, "version": {"1"}, "app_id": {"com.example.mail"}, "app_platform": {"android"},
			"app_install": {"required"}, "app_config": {"{}"}, "app_mode": {"json"}, "app_title": {""}, "remove": {"0"}}
	}},
	"GET /ui/policies/:id/compliance": {allowed: adminOnly, id: policyID},
	"POST /ui/policies/:id/compliance": {allowed: adminOnly, id: policyID, form: func() url.Values {
		return url.Values{"action": {"preview"}, "android_version.on": {"on"}, "android_version.min_version": {"14"}, "android_version.grace_days": {"7"}}
	}},
	"GET /ui/apple/vpp": {allowed: adminOnly},
	"POST /ui/apple/vpp/token": {allowed: adminOnly, form: func() url.Values {
		return url.Values{"token": {"Stadt Musterstadt"}}
	}},
	"POST /ui/apple/vpp/sync":       {allowed: adminOnly, form: func() url.Values { return url.Values{} }},
	"GET /ui/apple/abm":             {allowed: adminOnly},
	"GET /ui/apple/abm/certificate": {allowed: adminOnly},
	"POST /ui/apple/abm/token": {allowed: adminOnly, form: func() url.Values {
		return url.Values{"token": {"Stadt Musterstadt"}}
	}},
	"POST /ui/apple/abm/sync": {allowed: adminOnly, form: func() url.Values { return url.Values{} }},
	"GET /ui/audit":           {allowed: withAudit},
	"POST /ui/audit/export": {allowed: withAudit, form: func() url.Values {
		return url.Values{"format": {"jsonl"}}
	}},
	"GET /ui/data-protection":               {allowed: withAudit},
	"GET /ui/data-protection/employees":     {allowed: withAudit},
	"GET /ui/data-protection/employees/:id": {allowed: withAudit, id: employeeID},
	"GET /ui/data-protection/processing":    {allowed: withAudit},
	"GET /ui/data-protection/documents/:id": {allowed: withAudit, name: "bsi"},
	"GET /ui/data-protection/access-log":    {allowed: withAudit},
	"GET /ui/settings":                      {allowed: adminOnly},
	"GET /ui/settings/directory":            {allowed: adminOnly},
	"POST /ui/settings/directory": {allowed: adminOnly, formIn: func(w *apiWorld, tn mdm.Tenant) url.Values {
		directorySet(w, tn)
		return directoryForm()
	}},
	"POST /ui/settings/directory/test": {allowed: adminOnly, formIn: func(w *apiWorld, tn mdm.Tenant) url.Values {
		directorySet(w, tn)
		return directoryForm()
	}},
	"POST /ui/settings/directory/rules": {allowed: adminOnly, form: func() url.Values { return url.Values{"rules": {""}} }},
	"POST /ui/settings/directory/sync": {allowed: adminOnly, formIn: func(w *apiWorld, tn mdm.Tenant) url.Values {
		directorySet(w, tn)
		return url.Values{"dry_run": {"on"}}
	}},
	"POST /ui/settings/contacts": {allowed: adminOnly, form: func() url.Values {
		return url.Values{"operator": {"KommunalIT Nord"}, "privacy_contact": {"datenschutz@musterstadt.example"}}
	}},
	"POST /ui/settings/lost-mode": {allowed: adminOnly, form: func() url.Values {
		return url.Values{"lost_message": {"Bitte im Bürgerbüro abgeben."}, "lost_phone_number": {"+49 431 123-456"}}
	}},
	"POST /ui/settings/dataprotection": {allowed: adminOnly, form: func() url.Values {
		return url.Values{"device_retention_days": {"30"}, "audit_retention_years": {"3"}, "inactivity_days": {"60"},
			"inactivity_grace_days": {"14"}, "inactivity_action": {"lock"}}
	}},
	"POST /ui/settings/apple": {allowed: adminOnly, form: func() url.Values {
		return url.Values{"cert_text": {fakePushPEM}, "key_text": {fakeKeyPEM}}
	}},
	"POST /ui/settings/android/bind": {allowed: adminOnly, form: func() url.Values {
		return url.Values{"enterprise": {"enterprises/LC0" + mdm.NewID()[:6]}}
	}},
	"POST /ui/settings/android/signup": {allowed: adminOnly, form: func() url.Values { return url.Values{} }},
	"GET /ui/settings/admins":          {allowed: adminOnly},
	"POST /ui/settings/admins": {allowed: adminOnly, form: func() url.Values {
		return url.Values{"email": {mdm.NewID() + "@musterstadt.example"}, "role": {"helpdesk"}}
	}},
	"POST /ui/settings/admins/:id/disable":             {allowed: adminOnly, id: adminID, form: func() url.Values { return url.Values{} }},
	"POST /ui/settings/admins/:id/reset-second-factor": {allowed: adminOnly, id: adminID, form: confirmed},
	"GET /ui/account":            {allowed: tenantRoles},
	"GET /ui/settings/sso":       {allowed: adminOnly},
	"POST /ui/settings/sso":      {allowed: adminOnly, form: ssoForm},
	"POST /ui/settings/sso/test": {allowed: adminOnly, form: func() url.Values { return url.Values{"issuer": {"https://127.0.0.1:1"}} }},
	"POST /ui/settings/sso/break-glass": {allowed: adminOnly, formIn: func(w *apiWorld, tn mdm.Tenant) url.Values {
		return url.Values{"admin": {helpdeskAdminID(w, tn)}, "on": {"true"}}
	}},
	"GET /ui/settings/tokens": {allowed: adminOnly},
	"POST /ui/settings/tokens": {allowed: adminOnly, form: func() url.Values {
		return url.Values{"name": {"script " + mdm.NewID()}, "role": {"helpdesk"}}
	}},
	"POST /ui/settings/tokens/:id/revoke": {allowed: adminOnly, id: tokenID, form: func() url.Values { return url.Values{} }},
}

// bulkForm is a confirmed bulk action's form for a new device of the tenant, with the
// fields kv beside it.
func bulkForm(w *apiWorld, tn mdm.Tenant, kv ...string) url.Values {
	form := confirmed()
	form.Set("device", deviceID(w, tn))
	for i := 0; i+1 < len(kv); i += 2 {
		form.Set(kv[i], kv[i+1])
	}
	return form
}

// adminID is a new helpdesk administrator of the tenant, to be disabled.
func adminID(w *apiWorld, tn mdm.Tenant) string {
	a, _, err := w.svc.Access.CreateAdmin(context.Background(), "test", tn, mdm.NewID()+"@"+tn.Name+".example", mdm.RoleHelpdesk)
	if err != nil {
		w.t.Fatal(err)
	}
	return a.ID
}

// Every page and form of the dashboard sends a browser without a session to the sign-in,
// refuses a role that may not use it (403) and another tenant's IDs (404), and works for
// the roles that may.
func TestEveryPageKeepsTheRoleMatrixAndTheTenantWall(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		sessions := map[mdm.Role]session{}
		for _, r := range tenantRoles {
			sessions[r] = w.session(w.tenant, r)
		}
		routed := 0
		for _, r := range w.srv.Echo().Routes() {
			if !strings.HasPrefix(r.Path, "/ui/") || r.Method == "echo_route_not_found" || strings.HasPrefix(r.Path, "/ui/signin") || r.Path == "/ui/signout" ||
				// The account's forms are steps of one session (a proof of the factor, a passkey
				// ceremony), like the sign-in's; their own tests hold them.
				strings.HasPrefix(r.Path, "/ui/account/") || strings.HasPrefix(r.Path, "/ui/assets") {
				continue
			}
			routed++
			key := r.Method + " " + r.Path
			m, ok := pageMatrix[key]
			if !ok {
				t.Errorf("%s is not in the page matrix of this test", key)
				continue
			}
			t.Run(key, func(t *testing.T) {
				w.t = t
				request := func(tn mdm.Tenant) (string, url.Values) {
					path := r.Path
					if m.id != nil {
						path = strings.Replace(path, ":id", m.id(w, tn), 1)
					}
					if m.name != "" {
						path = strings.Replace(path, ":id", m.name, 1)
					}
					var form url.Values
					if m.form != nil {
						form = m.form()
					}
					if m.formIn != nil {
						form = m.formIn(w, tn)
					}
					return path, form
				}
				path, form := request(w.tenant)
				if code, to, _ := w.page(r.Method, path, session{}, form); code != http.StatusSeeOther || to != "/ui/signin" {
					t.Errorf("without a session: %d to %q, want 303 to the sign-in", code, to)
				}
				for _, role := range tenantRoles {
					path, form := request(w.tenant)
					code, _, body := w.page(r.Method, path, sessions[role], form)
					if !slices.Contains(m.allowed, role) {
						if code != http.StatusForbidden {
							t.Errorf("%s: %d, want 403", role, code)
						}
						continue
					}
					if code != http.StatusOK && code != http.StatusSeeOther {
						t.Errorf("%s: %d, want the page or a redirect after the form:\n%.600s", role, code, body)
					}
					if m.id == nil {
						continue
					}
					path, form = request(w.other)
					if code, _, _ := w.page(r.Method, path, sessions[role], form); code != http.StatusNotFound {
						t.Errorf("%s with another tenant's ID: %d, want 404", role, code)
					}
				}
				if form != nil {
					path, form := request(w.tenant)
					form.Set("csrf", "forged")
					if code, _, _ := w.page(r.Method, path, sessions[m.allowed[0]], form); code != http.StatusForbidden {
						t.Errorf("a form with a wrong CSRF token: %d, want 403", code)
					}
				}
			})
		}
		if routed != len(pageMatrix) {
			t.Errorf("the server routes %d dashboard pages, the matrix names %d", routed, len(pageMatrix))
		}
	})
}
