package audit

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// chain builds an intact trail of n events for tenant "t1", as a store would.
func chain(n int) []Event {
	prev := GenesisHash
	start := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	events := make([]Event, n)
	for i := range events {
		e := Event{TenantID: "t1", Seq: int64(i + 1), At: start.Add(time.Duration(i) * time.Minute),
			Actor: "cli:root", Action: DeviceView, Subject: Device.Of(fmt.Sprint(i + 1)),
			Details: Fields(map[string]any{"n": i + 1}), PrevHash: prev}
		e.Hash = e.ComputeHash()
		events[i] = e
		prev = e.Hash
	}
	return events
}

func verify(events []Event, headSeq int64, headHash []byte) *ChainBreak {
	v := NewChainVerifier("t1")
	for _, e := range events {
		if b := v.Add(e); b != nil {
			return b
		}
	}
	head := ChainHead{Seq: headSeq, Hash: headHash}
	return v.Finish(head, head)
}

func TestChainVerifier(t *testing.T) {
	intact := chain(6)
	head := intact[5]
	cases := []struct {
		name    string
		tamper  func([]Event) []Event
		headSeq int64
		wantSeq int64 // 0: intact
		want    string
	}{
		{"intact trail", func(e []Event) []Event { return e }, 6, 0, ""},
		{"changed details", func(e []Event) []Event { e[2].Details = `{"n":99}`; return e }, 6, 3, "was changed"},
		{"changed actor", func(e []Event) []Event { e[3].Actor = "admin:someone-else"; return e }, 6, 4, "was changed"},
		{"changed time", func(e []Event) []Event { e[1].At = e[1].At.Add(time.Second); return e }, 6, 2, "was changed"},
		{"event removed from the middle", func(e []Event) []Event { return append(e[:2:2], e[3:]...) }, 6, 3, "event 3 is missing"},
		{"events removed from the end", func(e []Event) []Event { return e[:4] }, 6, 5, "missing from the end"},
		{"two events swapped", func(e []Event) []Event {
			e[2], e[3] = e[3], e[2]
			return e
		}, 6, 3, "missing"},
		{"two events swapped with their numbers", func(e []Event) []Event {
			e[2], e[3] = e[3], e[2]
			e[2].Seq, e[3].Seq = 3, 4
			return e
		}, 6, 3, "was changed"},
		{"forged event inserted and re-hashed", func(e []Event) []Event {
			forged := Event{TenantID: "t1", Seq: 3, At: e[1].At, Actor: "system", Action: "forged", Details: "{}", PrevHash: e[1].Hash}
			forged.Hash = forged.ComputeHash()
			rest := make([]Event, 0, len(e)+1)
			rest = append(rest, e[:2]...)
			rest = append(rest, forged)
			for _, ev := range e[2:] {
				ev.Seq++
				rest = append(rest, ev)
			}
			return rest
		}, 7, 4, "was changed"},
		{"valid event appended without moving the head", func([]Event) []Event { return chain(7) }, 6, 7, "beyond the recorded end"},
		{"whole chain re-hashed after a change, head kept", func(e []Event) []Event {
			e[0].Details = `{"n":0}`
			prev := GenesisHash
			for i := range e {
				e[i].PrevHash = prev
				e[i].Hash = e[i].ComputeHash()
				prev = e[i].Hash
			}
			return e
		}, 6, 6, "recorded end of the trail does not match"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			events := c.tamper(chain(6))
			b := verify(events, c.headSeq, head.Hash)
			if c.wantSeq == 0 {
				if b != nil {
					t.Fatalf("intact trail reported broken: %v", b)
				}
				return
			}
			if b == nil {
				t.Fatalf("tampering not detected")
			}
			if b.Seq != c.wantSeq || !strings.Contains(b.Problem, c.want) {
				t.Fatalf("got break at %d (%s); want at %d containing %q", b.Seq, b.Problem, c.wantSeq, c.want)
			}
		})
	}
}

func TestEmptyChainVerifies(t *testing.T) {
	if b := verify(nil, 0, GenesisHash); b != nil {
		t.Fatalf("empty trail: %v", b)
	}
	if b := verify(nil, 2, GenesisHash); b == nil || b.Seq != 1 {
		t.Fatalf("all events removed: %v", b)
	}
}
