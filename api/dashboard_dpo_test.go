package api_test

import (
	"context"
	"html"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// download asks for a page of the dashboard with the session and returns the answer.
func (w *apiWorld) download(path string, s session) *httptest.ResponseRecorder {
	w.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.AddCookie(&http.Cookie{Name: "trennwand_session", Value: s.token})
	rec := httptest.NewRecorder()
	w.srv.Echo().ServeHTTP(rec, req)
	return rec
}

// countAudit counts the tenant's events of the action.
func (w *apiWorld) countAudit(tn mdm.Tenant, action audit.Action) int {
	w.t.Helper()
	events, err := w.svc.Trail.AuditPage(context.Background(), tn, mdm.AuditFilter{Actions: []audit.Action{action}}, 0, mdm.MaxPageSize)
	if err != nil {
		w.t.Fatal(err)
	}
	return len(events)
}

// postForms matches a form that sends something, other than signing out.
var postForms = regexp.MustCompile(`(?i)<form[^>]*method="post"[^>]*action="([^"]*)"`)

// A data-protection officer finds a menu of their own: the employees without any action,
// each one's report (recorded, and then in the access log under the officer's address),
// the record of processing and the three drafts, each in the dashboard's navigation and
// as a file to download. Every page of IT stays closed to them, and so does every form.
func TestTheDataProtectionOfficerReadsAndChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		officer := w.session(w.tenant, mdm.RoleDPO)
		emp := w.employee(w.tenant)
		dev := w.device(w.tenant)

		_, _, home := w.page(http.MethodGet, "/ui/", officer, nil)
		if !strings.Contains(home, `href="/ui/data-protection"`) || !strings.Contains(home, ">Datenschutz<") {
			t.Fatalf("the officer's menu has no entry for data protection:\n%.1500s", home)
		}
		for _, closed := range []string{"/ui/employees", "/ui/devices", "/ui/devices/" + dev.ID, "/ui/settings", "/ui/invitations"} {
			if code, _, _ := w.page(http.MethodGet, closed, officer, nil); code != http.StatusForbidden {
				t.Errorf("GET %s: %d, want 403", closed, code)
			}
		}

		code, _, list := w.page(http.MethodGet, "/ui/data-protection/employees?q="+url.QueryEscape(emp.Email), officer, nil)
		if code != http.StatusOK || !strings.Contains(list, html.EscapeString(emp.Email)) {
			t.Fatalf("the officer's list of employees: %d\n%.2000s", code, list)
		}
		if m := postForms.FindAllStringSubmatch(list, -1); len(m) != 1 || m[0][1] != "/ui/signout" {
			t.Errorf("the read-only list offers forms: %v", m)
		}
		if strings.Contains(list, `href="/ui/devices`) {
			t.Errorf("the read-only list links to IT's device pages")
		}
		report := "/ui/data-protection/employees/" + emp.ID
		if !strings.Contains(list, `href="`+report+`"`) {
			t.Fatalf("the list does not lead to the employee's report")
		}

		before := w.countAudit(w.tenant, audit.EmployeeReport)
		code, _, page := w.page(http.MethodGet, report, officer, nil)
		if code != http.StatusOK || !strings.Contains(page, `class="dash"`) || !strings.Contains(page, html.EscapeString(emp.Email)) ||
			!strings.Contains(page, `href="`+report+`?download=html"`) {
			t.Fatalf("the report in the dashboard: %d\n%.2000s", code, page)
		}
		if n := w.countAudit(w.tenant, audit.EmployeeReport); n != before+1 {
			t.Errorf("%d reports recorded, want %d", n, before+1)
		}
		_, _, accesses := w.page(http.MethodGet, "/ui/data-protection/access-log", officer, nil)
		if !strings.Contains(accesses, "Auskunft nach Art. 15 erstellt") || !strings.Contains(accesses, html.EscapeString(emp.Name+" ("+emp.Email+")")) ||
			!strings.Contains(accesses, "dpo-") {
			t.Errorf("the access log does not show the officer's report on the employee:\n%.3000s", accesses)
		}

		for _, doc := range []string{report, "/ui/data-protection/processing", "/ui/data-protection/documents/dpia",
			"/ui/data-protection/documents/agreement", "/ui/data-protection/documents/bsi"} {
			rec := w.download(doc+"?download=html", officer)
			disposition, params, _ := mime.ParseMediaType(rec.Header().Get("Content-Disposition"))
			if rec.Code != http.StatusOK || disposition != "attachment" || !strings.HasSuffix(params["filename"], "-de.html") ||
				!strings.HasPrefix(rec.Body.String(), "<!doctype html>") || strings.Contains(rec.Body.String(), `class="dash"`) {
				t.Errorf("download of %s: %d %q %v\n%.300s", doc, rec.Code, disposition, params, rec.Body.String())
			}
		}
		if code, _, _ := w.page(http.MethodGet, "/ui/data-protection/documents/contract", officer, nil); code != http.StatusNotFound {
			t.Errorf("a document that does not exist: %d, want 404", code)
		}

		settings, _ := w.svc.DataProtection.TenantDataProtection(context.Background(), w.tenant)
		forms := map[string]url.Values{
			"/ui/devices/" + dev.ID + "/lock":             confirmed(),
			"/ui/devices/" + dev.ID + "/remove-work-data": confirmed(),
			"/ui/settings/dataprotection": {"device_retention_days": {"1"}, "audit_retention_years": {"0"}, "inactivity_days": {"30"},
				"inactivity_grace_days": {"1"}, "inactivity_action": {"remove"}},
			"/ui/invitations":               {"email": {"new@example.org"}, "platform": {"any"}},
			"/ui/settings/admins":           {"email": {"another@example.org"}, "role": {"admin"}},
			"/ui/data-protection/employees": {},
		}
		for path, form := range forms {
			if code, _, _ := w.page(http.MethodPost, path, officer, form); code != http.StatusForbidden && code != http.StatusMethodNotAllowed && code != http.StatusNotFound {
				t.Errorf("POST %s as the officer: %d, want it refused", path, code)
			}
		}
		if after, _ := w.svc.DataProtection.TenantDataProtection(context.Background(), w.tenant); after != settings {
			t.Errorf("the officer's forms changed the settings: %+v", after)
		}
		if d, err := w.svc.ViewDevice(context.Background(), "test", w.tenant, dev.ID); err != nil || d.Device.State != mdm.DeviceActive {
			t.Errorf("the officer's forms changed the device: %+v, %v", d.Device, err)
		}
	})
}

// An administrator sets the legal basis in the settings: a combination the rules refuse
// is answered with the rule in German and changes nothing; a good one is stored, recorded
// and stated in the record of processing the officer reads.
func TestTheLegalBasisIsSetInTheSettingsAndShownInTheRecord(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		admin := w.session(w.tenant, mdm.RoleAdmin)
		officer := w.session(w.tenant, mdm.RoleDPO)
		ctx := context.Background()
		form := func(basis, law, land string) url.Values {
			return url.Values{"device_retention_days": {"30"}, "audit_retention_years": {"3"}, "inactivity_days": {"0"},
				"inactivity_grace_days": {"14"}, "inactivity_action": {"lock"},
				"legal_basis": {basis}, "employment_law": {law}, "land_law": {land}}
		}
		updates := w.countAudit(w.tenant, audit.DataProtectionUpdate)
		for _, bad := range []url.Values{
			form("art6_1_f", "bdsg26", ""),
			form("art6_1_b", "land", ""),
			form("art6_1_b", "", ""),
			form("", "bdsg26", ""),
			form("art6_1_c", "bdsg26", "§ 18 DSG NRW"),
			form("art6_1_c", "land", strings.Repeat("§", 201)),
		} {
			code, _, body := w.page(http.MethodPost, "/ui/settings/dataprotection", admin, bad)
			if code != http.StatusBadRequest || !strings.Contains(body, "Die Rechtsgrundlage wurde nicht gespeichert") {
				t.Errorf("%v: %d, want 400 with the rule\n%.400s", bad, code, body)
			}
		}
		if dp, _ := w.svc.DataProtection.TenantDataProtection(ctx, w.tenant); dp.LegalBasis != "" || dp.EmploymentLaw != "" {
			t.Fatalf("a refused legal basis was stored: %+v", dp)
		}
		if n := w.countAudit(w.tenant, audit.DataProtectionUpdate); n != updates {
			t.Fatalf("refusals were recorded: %d updates, want %d", n, updates)
		}
		if code, to, _ := w.page(http.MethodPost, "/ui/settings/dataprotection", admin, form("art6_1_c", "land", "§ 18 DSG NRW")); code != http.StatusSeeOther {
			t.Fatalf("a good legal basis: %d to %q", code, to)
		}
		if dp, _ := w.svc.DataProtection.TenantDataProtection(ctx, w.tenant); dp.LegalBasis != dataprotection.LegalBasisObligation || dp.LandLaw != "§ 18 DSG NRW" {
			t.Fatalf("the legal basis read back: %+v", dp)
		}
		if n := w.countAudit(w.tenant, audit.DataProtectionUpdate); n != updates+1 {
			t.Errorf("%d updates recorded, want %d", n, updates+1)
		}
		_, _, settings := w.page(http.MethodGet, "/ui/settings", admin, nil)
		if !strings.Contains(settings, `<option value="art6_1_c" selected>`) || !strings.Contains(settings, `value="§ 18 DSG NRW"`) {
			t.Errorf("the settings page does not show the legal basis set")
		}
		_, _, record := w.page(http.MethodGet, "/ui/data-protection/processing", officer, nil)
		if text := html.UnescapeString(record); !strings.Contains(text, "Buchst. c DSGVO") || !strings.Contains(text, "§ 18 DSG NRW") {
			t.Errorf("the record of processing does not state the legal basis:\n%.3000s", record)
		}
		_, _, overview := w.page(http.MethodGet, "/ui/data-protection", officer, nil)
		if text := html.UnescapeString(overview); !strings.Contains(text, "Buchst. c: Erfüllung einer rechtlichen Verpflichtung, in Verbindung mit § 18 DSG NRW") {
			t.Errorf("the officer's overview does not say the legal basis:\n%.3000s", overview)
		}
		_, _, dpia := w.page(http.MethodGet, "/ui/data-protection/documents/dpia", officer, nil)
		if !strings.Contains(html.UnescapeString(dpia), "§ 18 DSG NRW") {
			t.Errorf("the impact assessment does not state the legal basis")
		}
	})
}
