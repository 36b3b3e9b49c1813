package api_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// The device page and the device view say whose phone it is and, for a company-owned
// phone, its hardware identifiers; "lock phone" and "wipe phone" are offered to an
// administrator for a company-owned phone only, and never to the helpdesk.
func TestTheDevicePageFollowsOwnership(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		ctx := context.Background()
		admin, helpdesk := w.session(w.tenant, mdm.RoleAdmin), w.session(w.tenant, mdm.RoleHelpdesk)
		own := w.ownedDevice(w.tenant, mdm.OwnershipPersonal)
		company := w.ownedDevice(w.tenant, mdm.OwnershipCompany)
		hw := mdm.HardwareIDs{SerialNumber: "R5CX0815", IMEI: "356938035643809"}
		if err := w.svc.RecordHardwareIDs(ctx, w.store, w.svc.Now(), w.tenant.ID, company, hw); err != nil {
			t.Fatal(err)
		}

		_, _, page := w.page(http.MethodGet, "/ui/devices/"+company.ID, admin, nil)
		for _, want := range []string{"Dienstliches Telefon (COPE)", "R5CX0815", "356938035643809", `/ui/devices/` + company.ID + `/wipe`, `/ui/devices/` + company.ID + `/lock-phone`} {
			if !strings.Contains(page, want) {
				t.Errorf("the company-owned phone's page lacks %q", want)
			}
		}
		_, _, page = w.page(http.MethodGet, "/ui/devices/"+own.ID, admin, nil)
		if !strings.Contains(page, "Privates Telefon (BYOD)") || strings.Contains(page, "/wipe") || strings.Contains(page, "/lock-phone") {
			t.Error("the employee's own phone's page does not say whose it is, or offers to wipe or lock it")
		}
		if _, _, page = w.page(http.MethodGet, "/ui/devices/"+company.ID, helpdesk, nil); strings.Contains(page, "/wipe") {
			t.Error("the helpdesk is offered to wipe a phone")
		}

		invited := w.deviceIn(w.tenant, mdm.OwnershipCompany, mdm.DeviceInvited)
		if _, _, page := w.page(http.MethodGet, "/ui/devices/"+invited.ID, admin, nil); !strings.Contains(page, "/ui/devices/"+invited.ID+"/provisioning.png") {
			t.Error("the invited company-owned phone's page does not show its provisioning code")
		}
		if code, _, png := w.page(http.MethodGet, "/ui/devices/"+invited.ID+"/provisioning.png", admin, nil); code != http.StatusOK || !strings.HasPrefix(png, "\x89PNG") {
			t.Errorf("the provisioning code: %d", code)
		}
		if code, _, _ := w.page(http.MethodGet, "/ui/devices/"+company.ID+"/provisioning.png", admin, nil); code != http.StatusConflict {
			t.Errorf("the provisioning code of an enrolled phone: %d", code)
		}

		var view struct {
			Device struct {
				Ownership string            `json:"ownership"`
				Hardware  map[string]string `json:"hardware"`
			} `json:"device"`
		}
		for _, d := range []mdm.Device{own, company} {
			code, answer := w.call(http.MethodGet, "/api/v1/devices/"+d.ID, w.tokens[mdm.RoleAdmin], "")
			if err := json.Unmarshal([]byte(answer), &view); err != nil || code != http.StatusOK {
				t.Fatalf("the device view: %d %v", code, err)
			}
			kept := d.ID == company.ID
			if view.Device.Ownership != string(d.Ownership) || (view.Device.Hardware["serial_number"] == hw.SerialNumber) != kept {
				t.Errorf("the device view of the %s phone: %s", d.Ownership, answer)
			}
			view.Device.Hardware = nil
		}
		code, answer := w.call(http.MethodGet, "/api/v1/devices?ownership=company", w.tokens[mdm.RoleAdmin], "")
		if code != http.StatusOK || !strings.Contains(answer, company.ID) || strings.Contains(answer, own.ID) {
			t.Errorf("the list of company-owned devices: %d %s", code, answer)
		}
		if code, _ := w.call(http.MethodGet, "/api/v1/devices?ownership=borrowed", w.tokens[mdm.RoleAdmin], ""); code != http.StatusBadRequest {
			t.Errorf("an unknown ownership as a filter: %d", code)
		}
	})
}

// The device list filters by ownership like the JSON API, keeps the filter in its
// address and in the export of the whole list, and answers an unknown ownership with a
// message, not an error of the server.
func TestTheDeviceListFiltersByOwnership(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		admin := w.session(w.tenant, mdm.RoleAdmin)
		own := w.ownedDevice(w.tenant, mdm.OwnershipPersonal)
		company := w.ownedDevice(w.tenant, mdm.OwnershipCompany)

		code, _, page := w.page(http.MethodGet, "/ui/devices?ownership=company", admin, nil)
		if code != http.StatusOK || !strings.Contains(page, company.ID) || strings.Contains(page, own.ID) {
			t.Errorf("the list of company-owned phones: %d", code)
		}
		for _, want := range []string{`<option value="company" selected>Dienstliches Telefon (COPE)</option>`, `<input type="hidden" name="ownership" value="company">`} {
			if !strings.Contains(page, want) {
				t.Errorf("the filtered list lacks %q", want)
			}
		}
		_, _, page = w.pageIn("en", http.MethodGet, "/ui/devices?ownership=personal", admin, nil)
		if !strings.Contains(page, own.ID) || strings.Contains(page, company.ID) || !strings.Contains(page, `<option value="personal" selected>Employee&#39;s own phone (BYOD)</option>`) {
			t.Error("the English list of the employees' own phones")
		}
		code, _, page = w.page(http.MethodGet, "/ui/devices?ownership=borrowed", admin, nil)
		if code != http.StatusBadRequest || !strings.Contains(page, "Filter, eine Sortierung oder eine Seite, die die Geräteliste nicht kennt") {
			t.Errorf("an unknown ownership: %d", code)
		}

		code, _, body := w.page(http.MethodPost, "/ui/devices/bulk/export", admin,
			url.Values{"scope": {"all"}, "ownership": {"company"}, "reason": {"Inventur"}, "confirm": {"yes"}})
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if code != http.StatusOK || err != nil || len(rows) != 2 || rows[1][0] != company.ID {
			t.Errorf("the export of the company-owned phones: %d %v %q", code, err, rows)
		}
	})
}

// A company-owned phone its employee reported lost says so on its page, with when.
func TestTheDevicePageSaysThePhoneWasReportedLost(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		admin := w.session(w.tenant, mdm.RoleAdmin)
		company := w.ownedDevice(w.tenant, mdm.OwnershipCompany)
		if _, _, page := w.page(http.MethodGet, "/ui/devices/"+company.ID, admin, nil); strings.Contains(page, "als verloren gemeldet") {
			t.Error("a phone nobody reported lost is said to be")
		}
		cmd, err := w.svc.ReportLost(context.Background(), "employee:"+company.EmployeeID, w.tenant, company.ID, nil, "reported lost by the employee on the portal")
		if err != nil || cmd.Kind != mdm.CommandLockDevice {
			t.Fatalf("report: %+v, %v", cmd, err)
		}
		_, _, page := w.page(http.MethodGet, "/ui/devices/"+company.ID, admin, nil)
		if !strings.Contains(page, "Von den Beschäftigten als verloren gemeldet") || !strings.Contains(page, `id="reported-lost"`) {
			t.Error("the device page does not say that the employee reported the phone lost")
		}
	})
}
