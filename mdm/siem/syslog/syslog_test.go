package syslog_test

import (
	"strings"
	"testing"
	"time"

	"github.com/leodido/go-syslog/v4/rfc5424"

	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/siem/syslog"
)

// Every action of the catalogue makes a message that an RFC 5424 parser reads back with
// the header trennwand promises; an action longer than MSGID allows leaves MSGID empty.
func TestEveryActionMakesAValidRFC5424Message(t *testing.T) {
	at := time.Date(2026, 12, 6, 7, 30, 0, 123456000, time.UTC)
	p := rfc5424.NewParser(rfc5424.WithBestEffort())
	for _, a := range audit.Actions() {
		e := audit.Event{TenantID: "t1", Seq: 7, At: at, Actor: "admin:a1", Action: a, Subject: audit.Device.Of("d1"),
			Details: `{"reason":"lost \u003cphone\u003e"}`, PrevHash: audit.GenesisHash}
		e.Hash = e.ComputeHash()
		raw, err := syslog.Message("mdm.musterstadt.de", e)
		if err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		m, err := p.Parse(raw)
		if err != nil {
			t.Fatalf("%s: %q does not parse: %v", a, raw, err)
		}
		sm := m.(*rfc5424.SyslogMessage)
		if *sm.Priority != 109 || *sm.Hostname != "mdm.musterstadt.de" || *sm.Appname != "trennwand" || !sm.Timestamp.Equal(at) {
			t.Fatalf("%s: header %q", a, raw)
		}
		wantMsgID := string(a)
		if len(wantMsgID) > 32 {
			wantMsgID = ""
		}
		if got := deref(sm.MsgID); got != wantMsgID {
			t.Fatalf("%s: MSGID %q, want %q", a, got, wantMsgID)
		}
		if msg := deref(sm.Message); !strings.HasPrefix(msg, `{"tenant_id":"t1","seq":7,`) || !strings.Contains(msg, string(a)) {
			t.Fatalf("%s: MSG %q", a, msg)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
