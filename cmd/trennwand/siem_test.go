package main

import (
	"path/filepath"
	"testing"
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
