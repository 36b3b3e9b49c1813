package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// reportedCertificates is a platform's record of the certificates a phone reported in its
// work area.
type reportedCertificates []mdm.HeldCertificate

func (r reportedCertificates) HeldCertificates(context.Context, mdm.Store, string, mdm.Device) ([]mdm.HeldCertificate, error) {
	return r, nil
}

// The certificates an iPhone reported in its work area are shown on its device page, in
// the reader's language, and in the JSON device view: the CA's own by their purpose, a
// warning for a work certificate that expires within 30 days, and one for a certificate
// the CA has revoked but the phone still holds.
func TestTheDevicePageAndTheAPIShowTheWorkCertificates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := time.Now().UTC()
		iosReg := setUp(ios.Registration())
		iosReg.Certificates = reportedCertificates{
			{CommonName: "enrolment-1", Issuer: "trennwand Devices", Serial: "1001", NotAfter: now.Add(300 * 24 * time.Hour), Identity: true, Ours: true, Purpose: "device"},
			{CommonName: "enrolment-1", Issuer: "trennwand Devices", Serial: "1002", NotAfter: now.Add(300 * 24 * time.Hour), Identity: true, Ours: true, Purpose: "mail", Revoked: true},
			{CommonName: "VPN Musterstadt", Issuer: "Musterstadt Root", Serial: "4711", NotAfter: now.Add(10 * 24 * time.Hour)},
		}
		w := newAPIWorldOf(t, s, []mdm.Registration{iosReg, setUp(android.Registration())})
		ctx := context.Background()
		e := w.employee(w.tenant)
		d := mdm.Device{ID: mdm.NewID(), EmployeeID: e.ID, Platform: mdm.PlatformIOS, State: mdm.DeviceActive,
			Compliance: mdm.ComplianceCompliant, CreatedAt: now, UpdatedAt: now}
		if err := w.store.Devices().CreateDevice(ctx, w.tenant.ID, &d); err != nil {
			t.Fatal(err)
		}
		helpdesk := w.session(w.tenant, mdm.RoleHelpdesk)
		for lang, want := range map[string][]string{
			"de": {"Zertifikate im Arbeitsbereich", "trennwand: Identität des Geräts", "trennwand: Dienst-E-Mail-Konto", "gesperrt, aber noch auf dem Telefon", "läuft bald ab"},
			"en": {"Certificates in the work area", "trennwand: the device&#39;s identity", "trennwand: work mail account", "revoked, but still on the phone", "expires soon"},
		} {
			code, _, body := w.pageIn(lang, http.MethodGet, "/ui/devices/"+d.ID, helpdesk, nil)
			i := strings.Index(body, `<table id="work-certificates">`)
			if code != http.StatusOK || i < 0 {
				t.Fatalf("%s device page: %d, no certificates table", lang, code)
			}
			section := body[strings.LastIndex(body[:i], "<h2>"):]
			section = section[:strings.Index(section, "</table>")]
			for _, text := range append(want, "VPN Musterstadt", "Musterstadt Root", "4711") {
				if !strings.Contains(section, text) {
					t.Errorf("%s: the certificates lack %q:\n%s", lang, text, section)
				}
			}
		}
		code, body := w.call(http.MethodGet, "/api/v1/devices/"+d.ID, w.tokens[mdm.RoleHelpdesk], "")
		var out struct {
			Certificates []struct {
				Serial, Purpose, Warning string
				IssuedHere               bool `json:"issued_here"`
				Revoked                  bool
			}
		}
		if code != http.StatusOK || json.Unmarshal([]byte(body), &out) != nil || len(out.Certificates) != 3 {
			t.Fatalf("GET /api/v1/devices/{id}: %d %s", code, body)
		}
		for i, want := range []struct{ serial, purpose, warning string }{{"1001", "device", ""}, {"1002", "mail", "revoked"}, {"4711", "", "expiring"}} {
			got := out.Certificates[i]
			if got.Serial != want.serial || got.Purpose != want.purpose || got.Warning != want.warning || got.IssuedHere != (want.purpose != "") {
				t.Errorf("certificate %d: %+v, want %+v", i, got, want)
			}
		}
	})
}
