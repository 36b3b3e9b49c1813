package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/ui/portal"
)

// One truth: for an iPhone that checked in daily for 40 days with the same OS version, an
// Android phone breaking a rule inside its grace period, one past it, and a removed
// device, the device list of the JSON API, the overview counts, the dashboard's list and
// device page, the employee's status page and the Art. 15 report give the same last
// contact and the same verdict.
func TestEveryViewTellsTheSameContactAndVerdict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newAPIWorld(t, s)
		p, err := portal.New(portal.Config{Service: w.svc})
		if err != nil {
			t.Fatal(err)
		}
		w.srv.MountPortal(p.Handler())
		situations := storetest.Situations(t, s, w.tenant)

		t.Run("device list of the JSON API", func(t *testing.T) {
			var list struct{ Devices []storetest.View }
			w.getJSON(t, "/api/v1/devices", w.tokens[mdm.RoleAdmin], &list)
			for _, sit := range situations {
				if err := sit.Check("API list", list.Devices); err != nil {
					t.Error(err)
				}
			}
		})
		t.Run("overview counts", func(t *testing.T) {
			var overview struct{ Counts []mdm.DeviceCount }
			w.getJSON(t, "/api/v1/overview", w.tokens[mdm.RoleAdmin], &overview)
			want := map[mdm.DeviceCount]bool{}
			for _, sit := range situations {
				d, err := s.Devices().Device(ctx, w.tenant.ID, sit.DeviceID)
				if err != nil {
					t.Fatal(err)
				}
				want[mdm.DeviceCount{Platform: d.Platform, State: d.State, Compliance: sit.Verdict, Count: 1}] = true
			}
			if len(overview.Counts) != len(want) {
				t.Errorf("overview counts %+v, want %v", overview.Counts, want)
			}
			for _, c := range overview.Counts {
				if !want[c] {
					t.Errorf("overview counts %+v, which no device is", c)
				}
			}
		})
		admin := w.session(w.tenant, mdm.RoleAdmin)
		t.Run("dashboard list and device page", func(t *testing.T) {
			_, _, list := w.page(http.MethodGet, "/ui/devices", admin, nil)
			for _, sit := range situations {
				_, _, page := w.page(http.MethodGet, "/ui/devices/"+sit.DeviceID, admin, nil)
				for _, want := range dashboardTexts(sit) {
					if !strings.Contains(page, want) {
						t.Errorf("%s: the device page does not say %q", sit.Name, want)
					}
					if !strings.Contains(list, want) {
						t.Errorf("%s: the device list does not say %q", sit.Name, want)
					}
				}
			}
			if strings.Contains(list, `class="badge badge-compliant"`) {
				t.Error("the device list calls a device compliant; none is")
			}
		})
		t.Run("employee's status page", func(t *testing.T) {
			for _, sit := range situations {
				status, _, page := w.page(http.MethodGet, "/e/"+sit.Code+"?lang=de", session{}, nil)
				if sit.Verdict == mdm.ComplianceNone && status == http.StatusGone {
					// The portal of an employee whose only device is removed says so and
					// nothing of the device.
					if !strings.Contains(page, "Der Arbeitsbereich wurde entfernt") || strings.Contains(page, `class="verdict"`) {
						t.Errorf("%s: the link of a removed device:\n%.1500s", sit.Name, page)
					}
					continue
				}
				if status != http.StatusOK {
					t.Fatalf("%s: status page %d", sit.Name, status)
				}
				for _, want := range portalTexts(sit) {
					if !strings.Contains(page, want) {
						t.Errorf("%s: the status page does not say %q", sit.Name, want)
					}
				}
				if sit.Verdict == mdm.ComplianceNone && strings.Contains(page, `class="verdict"`) {
					t.Errorf("%s: the status page gives the removed device a verdict", sit.Name)
				}
			}
		})
		t.Run("Art. 15 report", func(t *testing.T) {
			for _, sit := range situations {
				var report struct{ Devices []storetest.View }
				w.getJSON(t, "/api/v1/employees/"+sit.EmployeeID+"/report", w.tokens[mdm.RoleDPO], &report)
				if err := sit.Check("Art. 15 report", report.Devices); err != nil {
					t.Error(err)
				}
			}
		})
	})
}

// dashboardTexts are what the dashboard (in German) must show of the device.
func dashboardTexts(sit *storetest.Situation) []string {
	verdict := map[mdm.Compliance]string{mdm.ComplianceUnknown: "Unbekannt", mdm.ComplianceInGrace: "In Schonfrist",
		mdm.ComplianceNonCompliant: "Nicht konform", mdm.ComplianceNone: "—"}[sit.Verdict]
	out := []string{verdict}
	if sit.Until != nil {
		out = append(out, "Folgen ab "+sit.Until.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if sit.Contact != nil {
		out = append(out, sit.Contact.UTC().Format("2006-01-02 15:04 UTC"))
	}
	return out
}

// portalTexts are what the employee's status page (in German) must show of the device.
func portalTexts(sit *storetest.Situation) []string {
	var out []string
	switch sit.Verdict {
	case mdm.ComplianceUnknown:
		out = append(out, "noch nicht bekannt")
	case mdm.ComplianceInGrace:
		out = append(out, "in Schonfrist: bitte bis "+sit.Until.UTC().Format("2006-01-02")+" beheben")
	case mdm.ComplianceNonCompliant:
		out = append(out, "nicht erfüllt")
	}
	if sit.Contact != nil && sit.Verdict != mdm.ComplianceNone {
		out = append(out, sit.Contact.UTC().Format("2006-01-02 15:04")+" UTC")
	}
	return out
}

// getJSON reads a JSON API resource with the token into out.
func (w *apiWorld) getJSON(t *testing.T, path, token string, out any) {
	t.Helper()
	status, body := w.call(http.MethodGet, path, token, "")
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, status, body)
	}
	if err := json.Unmarshal([]byte(body), out); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}
