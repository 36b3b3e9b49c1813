package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// lostJSON is what a test reads of a device's JSON: whether it says the phone was
// reported lost, and when.
type lostJSON struct {
	ID             string     `json:"id"`
	ReportedLostAt *time.Time `json:"reported_lost_at"`
}

// lostIn returns the devices of a JSON answer's list under key, by ID.
func lostIn(t *testing.T, answer, key string) map[string]lostJSON {
	t.Helper()
	var body map[string]json.RawMessage
	var devices []lostJSON
	if err := json.Unmarshal([]byte(answer), &body); err != nil {
		t.Fatalf("%v: %s", err, answer)
	}
	if err := json.Unmarshal(body[key], &devices); err != nil {
		t.Fatalf("%s: %v: %s", key, err, answer)
	}
	out := map[string]lostJSON{}
	for _, d := range devices {
		out[d.ID] = d
	}
	return out
}

// The device's JSON says when a company-owned phone was reported lost, in the device
// view, the device list, the employee view and the answers of the device's changes, for
// as long as the report stands: a phone nobody reported lost, and one whose report is
// older than the hold, say nothing of it; nor does the dashboard's device page then.
func TestTheDeviceJSONSaysWhenThePhoneWasReportedLost(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		ctx := context.Background()
		admin, token := w.session(w.tenant, mdm.RoleAdmin), w.tokens[mdm.RoleAdmin]
		lost := w.ownedDevice(w.tenant, mdm.OwnershipCompany)
		found := w.ownedDevice(w.tenant, mdm.OwnershipCompany)
		own := w.ownedDevice(w.tenant, mdm.OwnershipPersonal)

		code, answer := w.call(http.MethodGet, "/api/v1/devices/"+lost.ID, token, "")
		if code != http.StatusOK || strings.Contains(answer, "reported_lost_at") {
			t.Errorf("a phone nobody reported lost: %d %s", code, answer)
		}

		if _, err := w.svc.ReportLost(ctx, "employee:"+lost.EmployeeID, w.tenant, lost.ID, nil, "reported lost by the employee on the portal"); err != nil {
			t.Fatal(err)
		}
		at, err := w.svc.ReportedLost(ctx, w.tenant, lost.ID)
		if err != nil || at == nil {
			t.Fatalf("the report: %v, %v", at, err)
		}
		// The other phone was reported lost a day and an hour ago: that report no longer stands.
		long := time.Now().Add(-mdm.LostReportHold - time.Hour)
		if _, err := w.store.AppendAudit(ctx, w.tenant.ID, long, audit.Record{Actor: "employee:" + found.EmployeeID, Action: audit.DeviceReportLost,
			Subject: audit.Device.Of(found.ID), Details: audit.Fields(map[string]any{"kind": mdm.CommandLockDevice, "reason": "lost on the bus"})}); err != nil {
			t.Fatal(err)
		}

		var view struct {
			Device lostJSON `json:"device"`
		}
		code, answer = w.call(http.MethodGet, "/api/v1/devices/"+lost.ID, token, "")
		if err := json.Unmarshal([]byte(answer), &view); err != nil || code != http.StatusOK {
			t.Fatalf("the device view: %d %v", code, err)
		}
		if view.Device.ReportedLostAt == nil || !view.Device.ReportedLostAt.Equal(*at) {
			t.Errorf("the device view says reported lost at %v, want %v: %s", view.Device.ReportedLostAt, at, answer)
		}
		if _, answer := w.call(http.MethodGet, "/api/v1/devices/"+found.ID, token, ""); strings.Contains(answer, "reported_lost_at") {
			t.Errorf("a report older than the hold still stands: %s", answer)
		}

		code, answer = w.call(http.MethodGet, "/api/v1/devices", token, "")
		listed := lostIn(t, answer, "devices")
		if code != http.StatusOK || len(listed) != 3 {
			t.Fatalf("the list: %d %s", code, answer)
		}
		for _, d := range []mdm.Device{lost, found, own} {
			if said := listed[d.ID].ReportedLostAt != nil; said != (d.ID == lost.ID) {
				t.Errorf("the list says of device %s that it was reported lost: %v", d.ID, said)
			}
		}
		if got := listed[lost.ID].ReportedLostAt; got == nil || !got.Equal(*at) {
			t.Errorf("the list says reported lost at %v, want %v", got, at)
		}

		code, answer = w.call(http.MethodGet, "/api/v1/employees/"+lost.EmployeeID, token, "")
		if got := lostIn(t, answer, "devices")[lost.ID].ReportedLostAt; code != http.StatusOK || got == nil || !got.Equal(*at) {
			t.Errorf("the employee view: %d %s", code, answer)
		}

		var changed lostJSON
		code, answer = w.call(http.MethodPatch, "/api/v1/devices/"+lost.ID, token, `{"ownership":"company"}`)
		if err := json.Unmarshal([]byte(answer), &changed); err != nil || code != http.StatusOK || changed.ReportedLostAt == nil || !changed.ReportedLostAt.Equal(*at) {
			t.Errorf("the answer to a change of the device: %d %s", code, answer)
		}

		if _, _, page := w.page(http.MethodGet, "/ui/devices/"+lost.ID, admin, nil); !strings.Contains(page, `id="reported-lost"`) {
			t.Error("the device page does not say that the phone was reported lost")
		}
		if _, _, page := w.page(http.MethodGet, "/ui/devices/"+found.ID, admin, nil); strings.Contains(page, `id="reported-lost"`) {
			t.Error("the device page says a report stands that is older than the hold")
		}
	})
}
