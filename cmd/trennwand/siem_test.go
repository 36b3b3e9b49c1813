package main

import (
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/siem/webhook"
)

// siemStatus is what `siem show --json` prints.
type siemStatus struct {
	Tenant string `json:"tenant"`
	On     bool   `json:"on"`
	Head   int64  `json:"head_seq"`
	Sinks  []struct {
		Sink    string `json:"sink"`
		SentSeq int64  `json:"sent_seq"`
		Behind  int64  `json:"behind"`
	} `json:"sinks"`
}

func TestSIEMFeedIsSwitchedPerTenantAndTheSwitchIsAudited(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		s.run(t, "tenant", "create", "musterstadt").wantCode(t, 0)

		var st siemStatus
		s.run(t, "siem", "show", "--tenant", "musterstadt", "--json").decode(t, &st)
		if st.On || st.Tenant != "musterstadt" {
			t.Fatalf("a new tenant's feed: %+v, want off", st)
		}

		r := s.run(t, "siem", "enable", "--tenant", "musterstadt", "--json")
		r.wantCode(t, 0)
		r.decode(t, &st)
		if !st.On || st.Head != 2 {
			t.Fatalf("after enable: %+v, want on with the tenant's creation and the switch in its trail", st)
		}
		// The receivers the configuration names are shown with what they have not taken yet.
		conf := filepath.Join(t.TempDir(), "trennwand.yaml")
		writeFile(t, conf, "siem-webhook: https://siem.example.org/audit\n")
		s.run(t, "siem", "show", "--tenant", "musterstadt", "--json", "--config", conf).decode(t, &st)
		if len(st.Sinks) != 1 || st.Sinks[0].Sink != "webhook" || st.Sinks[0].Behind != 1 {
			t.Fatalf("status with a webhook configured: %+v, want the switch-on event behind", st)
		}
		s.run(t, "siem", "enable", "--tenant", "musterstadt").wantCode(t, 0)
		s.run(t, "siem", "disable", "--tenant", "musterstadt", "--json").decode(t, &st)
		if st.On {
			t.Fatalf("after disable: %+v", st)
		}
		if got := s.auditEvents(t)["musterstadt"]; got != 3 {
			t.Errorf("%d events in the tenant's trail, want 3: its creation, one enable (the second changed nothing), one disable", got)
		}
		s.run(t, "siem", "show").wantCode(t, exitUsage)
	})
}

// A server configured with a webhook sends the events of a tenant whose feed an
// administrator switched on through the API, signed with the secret from the file.
func TestServeSendsTheAuditFeedToTheWebhook(t *testing.T) {
	s := newSite(t, "sqlite")
	secret := "a webhook secret of at least thirty-two bytes"
	got := make(chan webhook.Body, 100)
	receiver := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := webhook.Receive(r, []byte(secret), time.Now())
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		got <- b
	}))
	t.Cleanup(receiver.Close)
	files := t.TempDir()
	caFile, secretFile := filepath.Join(files, "ca.pem"), filepath.Join(files, "webhook.secret")
	writeFile(t, caFile, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: receiver.Certificate().Raw})))
	writeFile(t, secretFile, secret+"\n")

	srv := startServe(t, append(s.flags, "--siem-webhook", receiver.URL+"/audit", "--siem-webhook-ca", caFile,
		"--siem-webhook-secret-file", secretFile)...)
	srv.waitServing(t)
	var tok struct{ Token string }
	s.run(t, "token", "create", "--tenant", "default", "--role", "admin", "--json").decode(t, &tok)
	req, err := http.NewRequest(http.MethodPut, srv.url("/api/v1/siem"), strings.NewReader(`{"on":true}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	resp, err := insecureClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT /api/v1/siem: HTTP %d", resp.StatusCode)
	}
	select {
	case b := <-got:
		if b.Tenant != "default" || len(b.Events) == 0 || b.Events[0].Action != audit.SIEMEnable {
			t.Fatalf("the webhook received %+v, want the tenant's switch-on first", b)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the webhook received nothing")
	}
	if code := srv.stop(t); code != 0 {
		t.Fatalf("serve exited with %d", code)
	}
}
