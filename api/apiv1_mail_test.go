package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// IT gives a policy its work mail account through the API: it is answered as stored,
// with the defaults of an IMAP account filled in, and taken away again by leaving it out.
// A bad host, a port out of range, an account without a kind or with a key the document
// does not know are problem+json answers that store nothing.
func TestTheWorkMailAccountThroughTheAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		admin := w.tokens[mdm.RoleAdmin]
		for _, bad := range []string{
			`{"name":"Rathaus","mail_account":{"kind":"imap","name":"Rathaus","host":"imap.musterstadt.de","port":70000}}`,
			`{"name":"Rathaus","mail_account":{"kind":"exchange","name":"Rathaus","host":"https://mail.musterstadt.de/EWS"}}`,
			`{"name":"Rathaus","mail_account":{"kind":"exchange","name":"Rathaus","host":"mail.musterstadt.de","port":443}}`,
			`{"name":"Rathaus","mail_account":{"name":"Rathaus","host":"mail.musterstadt.de"}}`,
			`{"name":"Rathaus","mail_account":{"kind":"pop","name":"Rathaus","host":"mail.musterstadt.de"}}`,
			`{"name":"Rathaus","mail_account":{"kind":"exchange","name":"Rathaus","host":"mail.musterstadt.de","password":"geheim"}}`,
		} {
			if code, body := w.call(http.MethodPost, "/api/v1/policies", admin, bad); code != http.StatusBadRequest || !strings.Contains(body, `"status":400`) {
				t.Errorf("create %s: %d %s, want a 400 problem", bad, code, body)
			}
		}
		if n := storetest.Count(t, s, "work_policies", "1 = 1"); n != 0 {
			t.Fatalf("%d policies stored after refusals", n)
		}

		code, body := w.call(http.MethodPost, "/api/v1/policies", admin,
			`{"name":"Bauhof","mail_account":{"kind":"imap","name":"Bauhof","host":"IMAP.Musterstadt.de"}}`)
		if code != http.StatusCreated || !strings.Contains(body,
			`"mail_account":{"kind":"imap","name":"Bauhof","host":"imap.musterstadt.de","port":993,"smtp_host":"imap.musterstadt.de","smtp_port":587}`) {
			t.Fatalf("create: %d %s", code, body)
		}
		var p struct{ ID string }
		decode(t, body, &p)
		if _, body := w.call(http.MethodGet, "/api/v1/policies/"+p.ID, admin, ""); !strings.Contains(body, `"host":"imap.musterstadt.de"`) {
			t.Errorf("read back: %s", body)
		}
		code, body = w.call(http.MethodPut, "/api/v1/policies/"+p.ID, admin, `{"name":"Bauhof","version":1}`)
		if code != http.StatusOK || strings.Contains(body, "mail_account") {
			t.Errorf("an update without the account takes it away: %d %s", code, body)
		}
	})
}
