package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// lostModeEvents returns the tenant's records of changes of the lost-mode text.
func (w *apiWorld) lostModeEvents() []audit.Event {
	w.t.Helper()
	events, err := w.svc.Trail.AuditPage(context.Background(), w.tenant, mdm.AuditFilter{Actions: []audit.Action{audit.TenantLostModeText}}, 0, mdm.MaxPageSize)
	if err != nil {
		w.t.Fatal(err)
	}
	return events
}

// lostModeOf reads the lost-mode text of a JSON answer, all three fields required.
func lostModeOf(t *testing.T, answer string) mdm.LostModeText {
	t.Helper()
	var body map[string]*string
	if err := json.Unmarshal([]byte(answer), &body); err != nil || len(body) != 3 || body["message"] == nil || body["phone_number"] == nil || body["footnote"] == nil {
		t.Fatalf("the lost-mode text %s (%v)", answer, err)
	}
	return mdm.LostModeText{Message: *body["message"], PhoneNumber: *body["phone_number"], Footnote: *body["footnote"]}
}

// The text a lost phone shows is set through the API's settings and on the dashboard's
// settings page with one rule: each field one line within its length, a phone number in
// digits, a footnote only beside a message or a number. A refused text says why (on the
// page in the reader's language) and changes nothing; a good one is stored, shown and
// audited.
func TestTheLostModeTextIsSetWithItsRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		admin, token := w.session(w.tenant, mdm.RoleAdmin), w.tokens[mdm.RoleAdmin]

		if code, answer := w.call(http.MethodGet, "/api/v1/lost-mode", token, ""); code != http.StatusOK || lostModeOf(t, answer) != (mdm.LostModeText{}) {
			t.Errorf("a tenant without a text: %d %s", code, answer)
		}
		refused := []struct {
			name, body, says string
		}{
			{"letters in the number", `{"phone_number":"call the town hall"}`, "digits"},
			{"too few digits", `{"phone_number":"+4"}`, "digits"},
			{"a footnote alone", `{"footnote":"Danke!"}`, "message or a phone number"},
			{"a long message", `{"message":"` + strings.Repeat("x", mdm.MaxLostMessage+1) + `"}`, "maximum string length is 200"},
			{"a long footnote", `{"message":"Bitte abgeben","footnote":"` + strings.Repeat("ü", mdm.MaxLostFootnote+1) + `"}`, "maximum string length is 100"},
			{"two lines", `{"message":"Bitte abgeben\nim Rathaus"}`, "one line"},
			{"a control character", `{"message":"Bitte\u0007abgeben"}`, "one line"},
			{"not text", `{"message":"Bitte \ufffd abgeben"}`, "not text"},
			{"an unknown field", `{"message":"Bitte abgeben","colour":"red"}`, "colour"},
		}
		for _, c := range refused {
			if code, answer := w.call(http.MethodPut, "/api/v1/lost-mode", token, c.body); code != http.StatusBadRequest || !strings.Contains(answer, c.says) {
				t.Errorf("%s: %d %s, want 400 saying %q", c.name, code, answer, c.says)
			}
		}
		if n := len(w.lostModeEvents()); n != 0 {
			t.Errorf("refused texts left %d records", n)
		}

		code, answer := w.call(http.MethodPut, "/api/v1/lost-mode", token,
			`{"message":"  Dieses Telefon gehört der Stadt Musterstadt. Bitte rufen Sie an.  ","phone_number":"+49 (431) 123-456","footnote":"Bürgerbüro, Markt 1"}`)
		want := mdm.LostModeText{Message: "Dieses Telefon gehört der Stadt Musterstadt. Bitte rufen Sie an.", PhoneNumber: "+49 (431) 123-456",
			Footnote: "Bürgerbüro, Markt 1"}
		if code != http.StatusOK || lostModeOf(t, answer) != want {
			t.Errorf("setting the text: %d %s", code, answer)
		}
		if code, answer := w.call(http.MethodGet, "/api/v1/lost-mode", token, ""); code != http.StatusOK || lostModeOf(t, answer) != want {
			t.Errorf("the text as stored: %d %s", code, answer)
		}
		events := w.lostModeEvents()
		if len(events) != 1 || !strings.HasPrefix(events[0].Actor, "token:") || events[0].Subject != audit.Tenant.Of(w.tenant.ID) ||
			events[0].Field("phone_number") != "+49 (431) 123-456" || events[0].Field("footnote") != "Bürgerbüro, Markt 1" {
			t.Errorf("the change on record: %+v", events)
		}
		if _, _, page := w.page(http.MethodGet, "/ui/settings", admin, nil); !strings.Contains(page, `49 (431) 123-456"`) ||
			!strings.Contains(page, `value="Bürgerbüro, Markt 1"`) {
			t.Error("the settings page does not show the stored text")
		}

		form := url.Values{"lost_message": {"Bitte abgeben"}, "lost_phone_number": {"Rathaus"}}
		if code, _, page := w.page(http.MethodPost, "/ui/settings/lost-mode", admin, form); code != http.StatusBadRequest || !strings.Contains(page, "nur aus Ziffern") {
			t.Errorf("a number in words on the German page: %d", code)
		}
		if code, _, page := w.pageIn("en", http.MethodPost, "/ui/settings/lost-mode", admin, url.Values{"lost_footnote": {"Danke!"}}); code != http.StatusBadRequest ||
			!strings.Contains(page, "A footnote needs a message or a phone number") {
			t.Errorf("a footnote alone on the English page: %d", code)
		}
		if n := len(w.lostModeEvents()); n != 1 {
			t.Errorf("refused forms left %d records, want the one of the API", n)
		}
		form = url.Values{"lost_message": {""}, "lost_phone_number": {"0431 901-0"}, "lost_footnote": {""}}
		if code, to, _ := w.page(http.MethodPost, "/ui/settings/lost-mode", admin, form); code != http.StatusSeeOther || !strings.HasPrefix(to, "/ui/settings") {
			t.Errorf("a good form: %d %q", code, to)
		}
		tn, err := w.svc.TenantByID(context.Background(), w.tenant.ID)
		if err != nil || tn.LostMode != (mdm.LostModeText{PhoneNumber: "0431 901-0"}) {
			t.Errorf("the text after the form: %+v, %v", tn.LostMode, err)
		}
		if events := w.lostModeEvents(); len(events) != 2 || !strings.HasPrefix(events[1].Actor, "admin:") {
			t.Errorf("the form's change on record: %+v", events)
		}
	})
}
