package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// An admin moves a device to another work policy from its page or through the API; the
// helpdesk sees the device but neither its policy nor the form; a policy of another
// tenant is not found and changes nothing.
func TestMovingADeviceToAnotherPolicy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		ctx := context.Background()
		office, field := w.policy(w.tenant), w.policy(w.tenant)
		d := w.device(w.tenant)

		admin := w.session(w.tenant, mdm.RoleAdmin)
		code, _, body := w.page(http.MethodGet, "/ui/devices/"+d.ID, admin, nil)
		if code != http.StatusOK || !strings.Contains(body, `action="/ui/devices/`+d.ID+`/policy"`) || !strings.Contains(body, field.Name) {
			t.Fatalf("the admin's device page (%d) has no form to move the device:\n%.2000s", code, body)
		}
		code, to, _ := w.page(http.MethodPost, "/ui/devices/"+d.ID+"/policy", admin, url.Values{"policy": {field.ID}})
		if code != http.StatusSeeOther || !strings.Contains(to, "done=moved") {
			t.Fatalf("moving from the page: %d to %q", code, to)
		}
		if got, _ := s.Devices().Device(ctx, w.tenant.ID, d.ID); got.WorkPolicyID == nil || *got.WorkPolicyID != field.ID {
			t.Fatalf("after the move the device has policy %v, want %s", got.WorkPolicyID, field.ID)
		}
		_, _, body = w.page(http.MethodGet, "/ui/devices/"+d.ID, admin, nil)
		if !strings.Contains(body, `<dd id="policy">`+field.Name+`</dd>`) {
			t.Errorf("the device page does not name the new policy %q", field.Name)
		}

		helpdesk := w.session(w.tenant, mdm.RoleHelpdesk)
		_, _, body = w.page(http.MethodGet, "/ui/devices/"+d.ID, helpdesk, nil)
		if strings.Contains(body, "/policy\"") || strings.Contains(body, field.Name) {
			t.Error("the helpdesk's device page shows the work policies")
		}

		foreign := w.policy(w.other)
		code, answer := w.call(http.MethodPut, "/api/v1/devices/"+d.ID+"/policy", w.tokens[mdm.RoleAdmin], fmt.Sprintf(`{"policy_id":%q}`, foreign.ID))
		if code != http.StatusNotFound {
			t.Errorf("moving to another tenant's policy: %d %s, want 404", code, answer)
		}
		code, answer = w.call(http.MethodPut, "/api/v1/devices/"+d.ID+"/policy", w.tokens[mdm.RoleAdmin], fmt.Sprintf(`{"policy_id":%q}`, office.ID))
		if code != http.StatusOK || !strings.Contains(answer, office.ID) {
			t.Errorf("moving through the API: %d %s", code, answer)
		}
		if got, _ := s.Devices().Device(ctx, w.tenant.ID, d.ID); *got.WorkPolicyID != office.ID {
			t.Errorf("after the API's move the device has policy %s, want %s", *got.WorkPolicyID, office.ID)
		}
		if n := strings.Count(strings.Join(w.auditActions(w.tenant), ","), "device.policy"); n != 2 {
			t.Errorf("%d device.policy events, want 2", n)
		}
	})
}
