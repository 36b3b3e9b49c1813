package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// A data-protection officer who finds an event in the CLI export, the API export, the
// API's list, the Art. 15 report of the API and the one of the CLI reads the same bytes
// in all five: the audit trail has one JSON shape.
func TestAnAuditEventReadsTheSameInEveryExportAndReport(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	s.platformsSetUp(t, "default")
	srv := startServe(t, s.flags...)
	srv.waitServing(t)
	var inv createdInvitation
	s.run(t, "invite", "create", "--tenant", "default", "--email", "anna@musterstadt.de", "--platform", "android",
		"--qr", "-", "--json").decode(t, &inv)
	var tok struct{ Token string }
	s.run(t, "token", "create", "--tenant", "default", "--role", "dpo", "--json").decode(t, &tok)

	// The invitation's event, as each reader writes it.
	find := func(where string, events []json.RawMessage) []byte {
		t.Helper()
		for _, raw := range events {
			var e audit.Event
			if err := json.Unmarshal(raw, &e); err != nil {
				t.Fatalf("%s: %v in %s", where, err, raw)
			}
			if e.Action == audit.InvitationCreate && e.Subject == audit.Invitation.Of(inv.InvitationID) {
				var b bytes.Buffer
				if err := json.Compact(&b, raw); err != nil {
					t.Fatal(err)
				}
				return b.Bytes()
			}
		}
		t.Fatalf("%s: no invitation.create event for %s", where, inv.InvitationID)
		return nil
	}
	lines := func(data []byte) []json.RawMessage {
		var out []json.RawMessage
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			out = append(out, json.RawMessage(bytes.Clone(sc.Bytes())))
		}
		return out
	}
	api := func(path string) []byte {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.url(path), nil)
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		res, err := insecureClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, res.StatusCode, body)
		}
		return body
	}
	type withEvents struct {
		Events []json.RawMessage `json:"events"`
	}
	decode := func(where string, data []byte) []json.RawMessage {
		var w withEvents
		if err := json.Unmarshal(data, &w); err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		return w.Events
	}

	out, _ := s.export(t, "--tenant", "default", "--employee", "anna@musterstadt.de")
	cliExport := find("CLI export", lines(readFile(t, filepath.Join(out, "events.jsonl"))))
	readers := map[string][]byte{
		"API export": find("API export", lines(api("/api/v1/audit/export?employee=anna@musterstadt.de"))),
		"API list":   find("API list", decode("API list", api("/api/v1/audit/events"))),
		"API Art. 15 report": find("API Art. 15 report",
			decode("API report", api("/api/v1/employees/"+inv.EmployeeID+"/report"))),
		"CLI Art. 15 report": find("CLI Art. 15 report", decode("CLI report",
			[]byte(s.run(t, "report", "employee", "--tenant", "default", "--email", "anna@musterstadt.de", "--json").stdout))),
	}
	for where, got := range readers {
		if !bytes.Equal(got, cliExport) {
			t.Errorf("%s writes the event as\n%s\nthe CLI export as\n%s", where, got, cliExport)
		}
	}
	if !strings.Contains(string(cliExport), `"tenant_id"`) || !strings.Contains(string(cliExport), `"prev_hash"`) {
		t.Errorf("the event lacks fields a reader needs to recompute the chain: %s", cliExport)
	}
}
