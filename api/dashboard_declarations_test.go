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

// reportedDeclarations is a platform's record of the declaration states a phone reported.
type reportedDeclarations []mdm.DeclarationState

func (r reportedDeclarations) Declarations(context.Context, mdm.Store, string, mdm.Device) ([]mdm.DeclarationState, error) {
	return r, nil
}

// The states an iPhone reported of its declarations are shown on its device page, in the
// reader's language with the phone's own reason, and in the JSON device view.
func TestTheDevicePageAndTheAPIShowTheDeclarationsStates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		iosReg := setUp(ios.Registration())
		iosReg.Declarations = reportedDeclarations{
			{Identifier: "trennwand.app.de.musterstadt.mail", Kind: "configuration", Active: true, Valid: "valid"},
			{Identifier: "trennwand.passcode", Kind: "configuration", Valid: "invalid", Reasons: "Error.ConfigurationCannotBeApplied: cannot apply"},
		}
		w := newAPIWorldOf(t, s, []mdm.Registration{iosReg, setUp(android.Registration())})
		ctx := context.Background()
		e := w.employee(w.tenant)
		at := time.Now().UTC()
		d := mdm.Device{ID: mdm.NewID(), EmployeeID: e.ID, Platform: mdm.PlatformIOS, State: mdm.DeviceActive,
			Compliance: mdm.ComplianceCompliant, CreatedAt: at, UpdatedAt: at}
		if err := w.store.Devices().CreateDevice(ctx, w.tenant.ID, &d); err != nil {
			t.Fatal(err)
		}
		helpdesk := w.session(w.tenant, mdm.RoleHelpdesk)
		for lang, want := range map[string][]string{"de": {"angewendet", "ungültig"}, "en": {"applied", "invalid"}} {
			code, _, body := w.pageIn(lang, http.MethodGet, "/ui/devices/"+d.ID, helpdesk, nil)
			i := strings.Index(body, `<table id="declarations">`)
			if code != http.StatusOK || i < 0 {
				t.Fatalf("%s device page: %d, no declarations table", lang, code)
			}
			table := body[i : i+strings.Index(body[i:], "</table>")]
			for _, text := range append(want, "trennwand.passcode", "Error.ConfigurationCannotBeApplied: cannot apply") {
				if !strings.Contains(table, text) {
					t.Errorf("%s: the declarations lack %q:\n%s", lang, text, table)
				}
			}
		}
		code, body := w.call(http.MethodGet, "/api/v1/devices/"+d.ID, w.tokens[mdm.RoleHelpdesk], "")
		var out struct {
			Declarations []struct{ Identifier, State, Reasons string }
		}
		if code != http.StatusOK || json.Unmarshal([]byte(body), &out) != nil || len(out.Declarations) != 2 ||
			out.Declarations[1].State != "invalid" || out.Declarations[1].Reasons != "Error.ConfigurationCannotBeApplied: cannot apply" {
			t.Errorf("GET /api/v1/devices/{id}: %d %s", code, body)
		}
	})
}
