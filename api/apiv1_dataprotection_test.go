package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// The data-protection officer opens the report about an employee whose device an admin
// looked at: the admin's view and the officer's own report are both among the accesses,
// and the printable page names the employee.
func TestTheDPOSeesWhoLookedAtAnEmployee(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		d := w.device(w.tenant)
		if code, body := w.call(http.MethodGet, "/api/v1/devices/"+d.ID, w.tokens[mdm.RoleAdmin], ""); code != http.StatusOK {
			t.Fatalf("admin views the device: %d %s", code, body)
		}
		code, body := w.call(http.MethodGet, "/api/v1/employees/"+d.EmployeeID+"/report", w.tokens[mdm.RoleDPO], "")
		if code != http.StatusOK {
			t.Fatalf("report: %d %s", code, body)
		}
		var r struct {
			Devices  []struct{ ID string } `json:"devices"`
			Accesses []struct {
				Action string `json:"action"`
			} `json:"accesses"`
		}
		decode(t, body, &r)
		var actions []string
		for _, a := range r.Accesses {
			actions = append(actions, a.Action)
		}
		if len(r.Devices) != 1 || r.Devices[0].ID != d.ID || strings.Join(actions, ",") != "device.view,employee.report" {
			t.Fatalf("report: devices %+v, accesses %v; want the device, its view and this report", r.Devices, actions)
		}
		code, page := w.call(http.MethodGet, "/api/v1/employees/"+d.EmployeeID+"/report?format=html&lang=en", w.tokens[mdm.RoleDPO], "")
		if code != http.StatusOK || !strings.Contains(page, "Who looked at this data") || !strings.Contains(page, `<html lang="en">`) {
			t.Fatalf("printable report in English: %d %s", code, page)
		}
		// German unless asked otherwise: the employee of a German administration reads it.
		code, page = w.call(http.MethodGet, "/api/v1/employees/"+d.EmployeeID+"/report?format=html", w.tokens[mdm.RoleDPO], "")
		if code != http.StatusOK || !strings.Contains(page, "Wer diese Daten eingesehen hat") || !strings.Contains(page, "Auskunft nach Art. 15 DSGVO") {
			t.Fatalf("printable report in German: %d %s", code, page)
		}
		if code, answer := w.call(http.MethodGet, "/api/v1/employees/"+d.EmployeeID+"/report?format=html&lang=fr", w.tokens[mdm.RoleDPO], ""); code != http.StatusBadRequest {
			t.Errorf("a report in French: %d %s, want 400", code, answer)
		}
	})
}

// Settings that break the rules are refused with the rule named, and nothing changes.
func TestDataProtectionSettingsRefuseNonsense(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	cases := []struct{ name, body, want string }{
		{"inactivity of 45 days", `{"device_retention_days":30,"audit_retention_years":3,"inactivity_days":45,"inactivity_grace_days":14,"inactivity_action":"lock"}`, "inactivity_days"},
		{"wipe", `{"device_retention_days":30,"audit_retention_years":3,"inactivity_days":30,"inactivity_grace_days":14,"inactivity_action":"wipe"}`, "inactivity_action"},
		{"no retention", `{"device_retention_days":0,"audit_retention_years":3,"inactivity_days":30,"inactivity_grace_days":14,"inactivity_action":"lock"}`, "device_retention_days"},
		{"IT contact not an address", `{"device_retention_days":30,"audit_retention_years":3,"inactivity_days":30,"inactivity_grace_days":14,"inactivity_action":"lock","it_email":"it at town"}`, "e-mail"},
		{"legal basis Art. 6(1)(f)", `{"device_retention_days":30,"audit_retention_years":3,"inactivity_days":30,"inactivity_grace_days":14,"inactivity_action":"lock","legal_basis":"art6_1_f","employment_law":"bdsg26"}`, "legal basis"},
		{"the Land's law unnamed", `{"device_retention_days":30,"audit_retention_years":3,"inactivity_days":30,"inactivity_grace_days":14,"inactivity_action":"lock","legal_basis":"art6_1_b","employment_law":"land"}`, "Land's provision"},
	}
	for _, tc := range cases {
		code, body := w.call(http.MethodPut, "/api/v1/data-protection", w.tokens[mdm.RoleAdmin], tc.body)
		if code != http.StatusBadRequest || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %s, want 400 naming %s", tc.name, code, body, tc.want)
		}
	}
	code, body := w.call(http.MethodGet, "/api/v1/data-protection", w.tokens[mdm.RoleDPO], "")
	if code != http.StatusOK || !strings.Contains(body, `"inactivity_days":0`) || !strings.Contains(body, `"device_retention_days":30`) {
		t.Fatalf("settings after refusals: %d %s; want the defaults", code, body)
	}
}

// The report names the work policy of each device with the work apps it puts on that
// device's platform, and nothing of the other platform.
func TestTheReportNamesTheWorkAppsOfEachDevice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		d := w.device(w.tenant) // an Android phone
		p, err := w.svc.WorkPolicy.CreateWorkPolicy(t.Context(), "test", w.tenant, mdm.WorkPolicy{Name: "Verwaltung", Apps: []mdm.AppAssignment{
			{Platform: mdm.PlatformAndroid, AppID: "de.example.mail", InstallType: mdm.InstallRequired},
			{Platform: mdm.PlatformIOS, AppID: "de.example.ios.mail", InstallType: mdm.InstallRequired}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.WorkPolicy.AssignWorkPolicy(t.Context(), "test", w.tenant, d.ID, p.ID); err != nil {
			t.Fatal(err)
		}
		_, body := w.call(http.MethodGet, "/api/v1/employees/"+d.EmployeeID+"/report", w.tokens[mdm.RoleDPO], "")
		var r struct {
			Devices []struct {
				WorkPolicy struct {
					Name string `json:"name"`
					Apps []struct {
						AppID       string `json:"app_id"`
						InstallType string `json:"install_type"`
					} `json:"apps"`
				} `json:"work_policy"`
			} `json:"devices"`
		}
		decode(t, body, &r)
		if len(r.Devices) != 1 || r.Devices[0].WorkPolicy.Name != "Verwaltung" || len(r.Devices[0].WorkPolicy.Apps) != 1 ||
			r.Devices[0].WorkPolicy.Apps[0].AppID != "de.example.mail" || r.Devices[0].WorkPolicy.Apps[0].InstallType != "required" {
			t.Fatalf("report's work policy: %s", body)
		}
		_, page := w.call(http.MethodGet, "/api/v1/employees/"+d.EmployeeID+"/report?format=html", w.tokens[mdm.RoleDPO], "")
		if !strings.Contains(page, "Arbeitsrichtlinie „Verwaltung“") || !strings.Contains(page, "<code>de.example.mail</code> (ohne Rückfrage installiert)") ||
			strings.Contains(page, "de.example.ios.mail") {
			t.Errorf("the printable report does not show the device's work apps as it should:\n%s", page)
		}
	})
}

// The data-protection officer fetches the three drafts, as text or as a page, in either
// language; a setting the admin changes shows in the next draft, and every draft made is
// recorded in the trail.
func TestTheDPOFetchesTheDraftsAndTheyFollowTheSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		dpo := w.tokens[mdm.RoleDPO]
		for path, want := range map[string]string{
			"/api/v1/data-protection/dpia?lang=en":                  "# Data-protection impact assessment",
			"/api/v1/data-protection/agreement":                     "# Dienstvereinbarung",
			"/api/v1/data-protection/bsi?format=html&lang=en":       "SYS.3.2.2.A1",
			"/api/v1/data-protection/agreement?format=html&lang=en": `<html lang="en">`,
		} {
			if code, body := w.call(http.MethodGet, path, dpo, ""); code != http.StatusOK || !strings.Contains(body, want) {
				t.Errorf("GET %s: %d, want %q in\n%s", path, code, want, body)
			}
		}
		if code, body := w.call(http.MethodPut, "/api/v1/data-protection", w.tokens[mdm.RoleAdmin],
			`{"device_retention_days":45,"audit_retention_years":3,"inactivity_days":30,"inactivity_grace_days":7,"inactivity_action":"remove"}`); code != http.StatusOK {
			t.Fatalf("admin changes the settings: %d %s", code, body)
		}
		_, body := w.call(http.MethodGet, "/api/v1/data-protection/dpia?lang=en", dpo, "")
		for _, want := range []string{"45 days after removal", "flagged after 30 days without contact; after 7 more days: remove the work area"} {
			if !strings.Contains(body, want) {
				t.Errorf("the next impact assessment lacks %q:\n%s", want, body)
			}
		}
		if n := storetest.CountEvents(t, s, w.tenant.ID, audit.DataProtectionDocument); n != 5 {
			t.Errorf("%d %s events; want one per draft", n, audit.DataProtectionDocument)
		}
	})
}
