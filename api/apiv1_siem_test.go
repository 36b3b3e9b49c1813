package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// An administrator switches the tenant's SIEM feed through the API; the switch is in the
// audit trail, the data-protection officer reads the state, and nobody else changes it.
func TestTheSIEMFeedIsSwitchedThroughTheAPI(t *testing.T) {
	s := storetest.Open(t, storetest.SQLite)
	w := newAPIWorld(t, s)
	code, body := w.call(http.MethodPut, "/api/v1/siem", w.tokens[mdm.RoleAdmin], `{"on":true}`)
	if code != http.StatusOK || !strings.Contains(body, `"on":true`) {
		t.Fatalf("switch on: %d %s", code, body)
	}
	if n := storetest.CountEvents(t, s, w.tenant.ID, audit.SIEMEnable); n != 1 {
		t.Fatalf("%d siem.enable events, want 1", n)
	}
	code, body = w.call(http.MethodGet, "/api/v1/siem", w.tokens[mdm.RoleDPO], "")
	if code != http.StatusOK || !strings.Contains(body, `"on":true`) || !strings.Contains(body, `"since"`) {
		t.Fatalf("read by the DPO: %d %s", code, body)
	}
	if code, body = w.call(http.MethodPut, "/api/v1/siem", w.tokens[mdm.RoleDPO], `{"on":false}`); code != http.StatusForbidden {
		t.Fatalf("switched off by the DPO: %d %s", code, body)
	}
	if code, body = w.call(http.MethodPut, "/api/v1/siem", w.tokens[mdm.RoleAdmin], `{"on":"yes"}`); code != http.StatusBadRequest {
		t.Fatalf("a switch that is not true or false: %d %s", code, body)
	}
}
