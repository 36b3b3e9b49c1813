package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// decode reads a JSON answer into v.
func decode(t *testing.T, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("answer is not JSON: %v (%s)", err, body)
	}
}

// auditActions lists the actions of the tenant's audit trail in order.
func (w *apiWorld) auditActions(tn mdm.Tenant) []string {
	w.t.Helper()
	var out []string
	err := store.TrailOf(w.store).AuditEvents(context.Background(), tn.ID, 0, func(e audit.Event) error {
		out = append(out, string(e.Action)+" "+e.Subject+" by "+e.Actor)
		return nil
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return out
}

// A helpdesk agent pages through the devices with a filter; the pages join up without
// gaps, and nonsense in the query is refused with the parameter named.
func TestDeviceListingPagesAndFilters(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	for range 7 {
		w.device(w.tenant)
	}
	w.device(w.other)
	seen := map[string]bool{}
	path := "/api/v1/devices?limit=3&platform=android"
	for pages := 0; ; pages++ {
		code, body := w.call(http.MethodGet, path, w.tokens[mdm.RoleHelpdesk], "")
		if code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, code, body)
		}
		var page struct {
			Devices []struct {
				ID            string `json:"id"`
				EmployeeEmail string `json:"employee_email"`
			} `json:"devices"`
			NextCursor string `json:"next_cursor"`
		}
		decode(t, body, &page)
		for _, d := range page.Devices {
			if seen[d.ID] {
				t.Errorf("device %s on two pages", d.ID)
			}
			seen[d.ID] = true
		}
		if page.NextCursor == "" {
			break
		}
		if pages > 5 {
			t.Fatal("the pages do not end")
		}
		path = "/api/v1/devices?limit=3&platform=android&after=" + page.NextCursor
	}
	if len(seen) != 7 {
		t.Errorf("the pages listed %d devices, want the tenant's 7", len(seen))
	}
	for _, bad := range []string{"?platform=windows", "?limit=0", "?limit=100000", "?after=nonsense", "?state=wiped"} {
		code, body := w.call(http.MethodGet, "/api/v1/devices"+bad, w.tokens[mdm.RoleHelpdesk], "")
		if code != http.StatusBadRequest || !strings.Contains(body, "error") {
			t.Errorf("GET /api/v1/devices%s: %d %s, want 400 with an error", bad, code, body)
		}
	}
}

// Opening a device shows it with its employee, and the audit trail records who looked.
func TestViewingADeviceIsRecorded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		d := w.device(w.tenant)
		code, body := w.call(http.MethodGet, "/api/v1/devices/"+d.ID, w.tokens[mdm.RoleHelpdesk], "")
		if code != http.StatusOK {
			t.Fatalf("GET device: %d %s", code, body)
		}
		var detail struct {
			Device   struct{ ID string }    `json:"device"`
			Employee struct{ Email string } `json:"employee"`
		}
		decode(t, body, &detail)
		if detail.Device.ID != d.ID || detail.Employee.Email == "" {
			t.Errorf("detail = %s", body)
		}
		actions := w.auditActions(w.tenant)
		last := actions[len(actions)-1]
		if !strings.HasPrefix(last, "device.view device:"+d.ID+" by token:") {
			t.Errorf("last audit event = %q, want the view of device %s by the helpdesk token", last, d.ID)
		}
	})
}

// An action on a device needs a reason; without one nothing is queued or recorded. With
// one, the command is queued and the reason is on record.
func TestDeviceActionsNeedAReason(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	d := w.device(w.tenant)
	before := len(w.auditActions(w.tenant))
	for _, body := range []string{`{}`, `{"reason":""}`, `{"reason":"x","force":true}`, `not json`} {
		code, answer := w.call(http.MethodPost, "/api/v1/devices/"+d.ID+"/reset-passcode", w.tokens[mdm.RoleHelpdesk], body)
		if code != http.StatusBadRequest {
			t.Errorf("reset with %s: %d %s, want 400", body, code, answer)
		}
	}
	if after := len(w.auditActions(w.tenant)); after != before {
		t.Errorf("refused actions wrote %d audit events", after-before)
	}
	code, answer := w.call(http.MethodPost, "/api/v1/devices/"+d.ID+"/reset-passcode", w.tokens[mdm.RoleHelpdesk], `{"reason":"forgot the work PIN"}`)
	if code != http.StatusAccepted || !strings.Contains(answer, `"kind":"reset_work_passcode"`) {
		t.Fatalf("reset: %d %s", code, answer)
	}
	cmds, err := w.store.Commands().Commands(context.Background(), w.tenant.ID, d.ID)
	if err != nil || len(cmds) != 1 || cmds[0].State != mdm.CommandQueued {
		t.Errorf("commands after the reset: %+v, %v", cmds, err)
	}
	var details string
	_ = store.TrailOf(w.store).AuditEvents(context.Background(), w.tenant.ID, 0, func(e audit.Event) error {
		details = string(e.Details)
		return nil
	})
	if !strings.Contains(details, "forgot the work PIN") {
		t.Errorf("the reason is not on record: %s", details)
	}
}

// Two administrators edit the same policy: the second, working on the old version, is
// refused with 409 and changes nothing.
func TestPolicyUpdateOnAnOldVersionIsRefused(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	admin := w.tokens[mdm.RoleAdmin]
	code, body := w.call(http.MethodPost, "/api/v1/policies", admin,
		`{"name":"Rathaus","apps":[{"platform":"android","app_id":"de.example.mail","install_type":"required","managed_config":{"server":"mail.rathaus.example"}}]}`)
	if code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, body)
	}
	var p struct {
		ID      string `json:"id"`
		Version int64  `json:"version"`
		Apps    []struct {
			ManagedConfig map[string]string `json:"managed_config"`
		} `json:"apps"`
	}
	decode(t, body, &p)
	if p.Version != 1 || len(p.Apps) != 1 || p.Apps[0].ManagedConfig["server"] != "mail.rathaus.example" {
		t.Fatalf("created policy = %s", body)
	}
	if code, body := w.call(http.MethodPut, "/api/v1/policies/"+p.ID, admin, `{"name":"Rathaus 2","version":1}`); code != http.StatusOK {
		t.Fatalf("first update: %d %s", code, body)
	}
	code, body = w.call(http.MethodPut, "/api/v1/policies/"+p.ID, admin, `{"name":"Rathaus alt","version":1}`)
	if code != http.StatusConflict {
		t.Errorf("update on version 1 after it became 2: %d %s, want 409", code, body)
	}
	_, body = w.call(http.MethodGet, "/api/v1/policies/"+p.ID, admin, "")
	if !strings.Contains(body, `"name":"Rathaus 2"`) || !strings.Contains(body, `"version":2`) {
		t.Errorf("policy after the refused update = %s", body)
	}
	for _, bad := range []string{
		`{"name":"X","apps":[{"platform":"android","app_id":"not a package","install_type":"required"}]}`,
		`{"name":"X","apps":[{"platform":"android","app_id":"de.example.a","install_type":"required","managed_config":[1]}]}`,
		`{"name":""}`,
	} {
		if code, body := w.call(http.MethodPost, "/api/v1/policies", admin, bad); code != http.StatusBadRequest {
			t.Errorf("create %s: %d %s, want 400", bad, code, body)
		}
	}
}

// An invitation made through the API answers with its code and portal link once; revoking
// it twice is a conflict the second time.
func TestInvitationThroughTheAPI(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	code, body := w.call(http.MethodPost, "/api/v1/invitations", w.tokens[mdm.RoleHelpdesk], `{"email":"Anna@Musterstadt.example","platform":"ios","managed_apple_id":"anna@musterstadt.appleid.com"}`)
	if code != http.StatusCreated {
		t.Fatalf("invite: %d %s", code, body)
	}
	var inv struct {
		Invitation struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"invitation"`
		Code string `json:"code"`
		URL  string `json:"url"`
	}
	decode(t, body, &inv)
	if inv.Code == "" || inv.URL != "https://mdm.musterstadt.example/e/"+inv.Code || inv.Invitation.Status != "pending" {
		t.Errorf("invitation = %s", body)
	}
	path := "/api/v1/invitations/" + inv.Invitation.ID + "/revoke"
	if code, body := w.call(http.MethodPost, path, w.tokens[mdm.RoleHelpdesk], ""); code != http.StatusNoContent {
		t.Errorf("revoke: %d %s", code, body)
	}
	if code, body := w.call(http.MethodPost, path, w.tokens[mdm.RoleHelpdesk], ""); code != http.StatusConflict {
		t.Errorf("revoke again: %d %s, want 409", code, body)
	}
	_, body = w.call(http.MethodGet, "/api/v1/invitations", w.tokens[mdm.RoleAdmin], "")
	if !strings.Contains(body, `"status":"revoked"`) || !strings.Contains(body, "anna@musterstadt.example") {
		t.Errorf("listing = %s", body)
	}
}
