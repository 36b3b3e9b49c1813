package api

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/ui/dashboard"
)

// dashboardInAPI says, for every page and form of the dashboard, which operations of the
// JSON API do the same: "everything the dashboard does is in the API" as a table that a
// test holds to. A form (POST) maps to the operation that makes the same change through
// the same service; a page maps to the reads that give what it shows. The sign-in pages
// are not in it: the API's callers authenticate with a token or the session the
// sign-in made.
var dashboardInAPI = map[string][]string{
	// The overview shows each role its part: who is signed in (everyone), the device
	// counts, the latest audit events and the set-up checklist (push certificate, Android
	// enterprise, Apps and Books token, a policy, the contacts, an invitation).
	"GET /ui/": {"GET /me", "GET /overview", "GET /audit/events", "GET /apple/push-certificate", "GET /android/enterprise",
		"GET /apple/vpp-token", "GET /policies", "GET /contacts", "GET /invitations"},
	// Devices: the list, one device (with its commands and, on Android, its certificate
	// key), and the actions of the device page.
	"GET /ui/devices":                                {"GET /devices"},
	"GET /ui/devices/:id":                            {"GET /devices/:id", "GET /devices/:id/compliance"},
	"POST /ui/devices/:id/lock":                      {"POST /devices/:id/lock"},
	"POST /ui/devices/:id/lock-phone":                {"POST /devices/:id/lock-phone"},
	"POST /ui/devices/:id/wipe":                      {"POST /devices/:id/wipe"},
	"GET /ui/devices/:id/provisioning.png":           {"GET /devices/:id/provisioning"},
	"POST /ui/devices/:id/reset-passcode":            {"POST /devices/:id/reset-passcode"},
	"POST /ui/devices/:id/remove-work-data":          {"POST /devices/:id/remove-work-data"},
	"POST /ui/devices/:id/revoke-certificates":       {"POST /devices/:id/revoke-certificates"},
	"POST /ui/devices/:id/policy":                    {"PUT /devices/:id/policy"},
	"POST /ui/devices/:id/allow-certificate-renewal": {"POST /devices/:id/allow-certificate-renewal"},
	"GET /ui/employees":                              {"GET /employees"},
	"GET /ui/invitations":                            {"GET /invitations"},
	"POST /ui/invitations":                           {"POST /invitations"},
	"POST /ui/invitations/:id/revoke":                {"POST /invitations/:id/revoke"},
	"POST /ui/invitations/csv":                       {"POST /invitations/import"},
	"POST /ui/invitations/resend":                    {"POST /invitations/resend"},
	"POST /ui/invitations/letters":                   {"POST /invitations/reissue-unsent"},
	"GET /ui/policies":                               {"GET /policies"},
	"POST /ui/policies":                              {"POST /policies"},
	"GET /ui/policies/:id":                           {"GET /policies/:id", "GET /apple/vpp-assets"},
	"POST /ui/policies/:id":                          {"PUT /policies/:id"},
	// The editor's catalogues add an app to the form (saved with the policy); removing an
	// app saves the policy without it.
	"POST /ui/policies/:id/apps":        {"PUT /policies/:id", "GET /android/apps/:id", "POST /android/enterprise/web-tokens"},
	"POST /ui/policies/:id/apps/remove": {"PUT /policies/:id"},
	"GET /ui/policies/:id/compliance":   {"GET /policies/:id/compliance", "POST /policies/:id/compliance/preview"},
	"POST /ui/policies/:id/compliance":  {"PUT /policies/:id/compliance"},
	"GET /ui/audit":                     {"GET /audit/events"},
	// The audit page's export: the same filters, CSV or JSON Lines, signed as a ZIP.
	"POST /ui/audit/export": {"GET /audit/export"},
	// A selection's action is the single device's operation once per device; an API
	// caller loops over its selection (the dashboard does the same in its handler). The
	// export of a selection is the device list.
	"POST /ui/devices/bulk/move":                       {"PUT /devices/:id/policy"},
	"POST /ui/devices/bulk/remove-work-data":           {"POST /devices/:id/remove-work-data"},
	"POST /ui/devices/bulk/resend-invitation":          {"POST /invitations/resend"},
	"POST /ui/devices/bulk/export":                     {"GET /devices"},
	"GET /ui/apple/vpp":                                {"GET /apple/vpp-token", "GET /apple/vpp-assets"},
	"POST /ui/apple/vpp/token":                         {"PUT /apple/vpp-token"},
	"POST /ui/apple/vpp/sync":                          {"POST /apple/vpp-assets/sync"},
	"GET /ui/apple/abm":                                {"GET /apple/dep-token", "GET /apple/dep-devices"},
	"GET /ui/apple/abm/certificate":                    {"GET /apple/dep-token/certificate"},
	"POST /ui/apple/abm/token":                         {"PUT /apple/dep-token"},
	"POST /ui/apple/abm/sync":                          {"POST /apple/dep-token/sync"},
	"GET /ui/data-protection":                          {"GET /data-protection"},
	"GET /ui/data-protection/employees":                {"GET /data-protection/employees"},
	"GET /ui/data-protection/employees/:id":            {"GET /employees/:id/report"},
	"GET /ui/data-protection/processing":               {"GET /data-protection/record-of-processing"},
	"GET /ui/data-protection/documents/:id":            {"GET /data-protection/dpia", "GET /data-protection/agreement", "GET /data-protection/bsi"},
	"GET /ui/data-protection/access-log":               {"GET /data-protection/access-log"},
	"GET /ui/settings":                                 {"GET /contacts", "GET /lost-mode", "GET /data-protection", "GET /apple/push-certificate", "GET /android/enterprise"},
	"POST /ui/settings/contacts":                       {"PUT /contacts"},
	"POST /ui/settings/lost-mode":                      {"PUT /lost-mode"},
	"POST /ui/settings/dataprotection":                 {"PUT /data-protection"},
	"POST /ui/settings/apple":                          {"PUT /apple/push-certificate"},
	"POST /ui/settings/android/bind":                   {"PUT /android/enterprise"},
	"POST /ui/settings/android/signup":                 {"POST /android/enterprise/signup"},
	"GET /ui/settings/admins":                          {"GET /admins"},
	"POST /ui/settings/admins":                         {"POST /admins"},
	"POST /ui/settings/admins/:id/disable":             {"POST /admins/:id/disable"},
	"POST /ui/settings/admins/:id/reset-second-factor": {"POST /admins/:id/reset-second-factor"},
	"GET /ui/settings/tokens":                          {"GET /tokens"},
	"POST /ui/settings/tokens":                         {"POST /tokens"},
	"POST /ui/settings/tokens/:id/revoke":              {"POST /tokens/:id/revoke"},
	// Single sign-on: the provider, its test, and the break-glass administrators among
	// the tenant's administrators.
	"GET /ui/settings/sso":              {"GET /sso", "GET /admins"},
	"POST /ui/settings/sso":             {"PUT /sso"},
	"POST /ui/settings/sso/test":        {"POST /sso/test"},
	"POST /ui/settings/sso/break-glass": {"PUT /admins/:id/break-glass"},
	"GET /ui/settings/directory":        {"GET /directory"},
	"POST /ui/settings/directory":       {"PUT /directory"},
	"POST /ui/settings/directory/test":  {"POST /directory/test"},
	"POST /ui/settings/directory/rules": {"PUT /directory/rules"},
	"POST /ui/settings/directory/sync":  {"POST /directory/sync"},
}

// Every page and form of the dashboard has its operations in the JSON API, each of them
// in the route table, mounted on the server and in the OpenAPI document. A form's operation lets exactly the roles do it
// that the form lets; every role that sees a page may read at least one of its
// operations (a page shows each role the parts its permissions allow).
func TestEveryDashboardActionIsInTheAPI(t *testing.T) {
	d, err := dashboard.New(dashboard.Config{Service: &domain.Services{}})
	if err != nil {
		t.Fatal(err)
	}
	spec, err := loadAPISpec()
	if err != nil {
		t.Fatal(err)
	}
	routes := map[string]apiRoute{}
	for _, r := range allAPIRoutes() {
		routes[r.method+" "+r.path] = r
	}
	srv := New(Config{Log: slog.New(slog.DiscardHandler), Metrics: prometheus.NewRegistry()})
	if err := srv.MountAPI(APIConfig{}); err != nil {
		t.Fatal(err)
	}
	mounted := map[string]bool{}
	for _, r := range srv.Echo().Routes() {
		mounted[r.Method+" "+strings.TrimPrefix(r.Path, APIPrefix)] = true
	}
	pages := map[string]bool{}
	for _, page := range d.Routes() {
		key := page.Method + " " + page.Path
		pages[key] = true
		ops, ok := dashboardInAPI[key]
		if !ok {
			t.Errorf("the dashboard's %s has no operation in the JSON API (or no entry in dashboardInAPI)", key)
			continue
		}
		readers := map[mdm.Role]bool{}
		for _, op := range ops {
			method, path, _ := strings.Cut(op, " ")
			r, ok := routes[op]
			if !ok || !mounted[op] {
				t.Errorf("%s maps to %s, which the JSON API does not route", key, op)
				continue
			}
			if _, err := spec.operation(method, path); err != nil {
				t.Errorf("%s maps to %s: %v", key, op, err)
			}
			got, want := rolesAllowed(r.perm), rolesAllowed(page.Perm)
			for _, role := range got {
				readers[role] = true
			}
			if page.Method != http.MethodGet && !slices.Equal(got, want) {
				t.Errorf("%s: the roles %v may use the form, but %v the operation %s", key, want, got, op)
			}
		}
		for _, role := range rolesAllowed(page.Perm) {
			if page.Method == http.MethodGet && !readers[role] {
				t.Errorf("%s: the role %s sees the page but may read none of %v", key, role, ops)
			}
		}
	}
	for key := range dashboardInAPI {
		if !pages[key] {
			t.Errorf("dashboardInAPI names %s, which the dashboard does not have", key)
		}
	}
}

// rolesAllowed returns the dashboard's roles that hold the permission; all of them for
// none.
func rolesAllowed(p mdm.Permission) []mdm.Role {
	var out []mdm.Role
	for _, r := range mdm.Roles {
		if p == "" || r.Can(p) {
			out = append(out, r)
		}
	}
	return out
}
