package main

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trennwand/trennwand/ios/phonesim"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/sim"
)

// changeBound is how soon a revoked certificate or a removed device is refused on every
// replica (docs/architecture.md, "What a check-in keeps in memory").
const changeBound = time.Second

// Two servers on one PostgreSQL database; phones enrolled at A check in at B, which
// answers their Idle reports from memory. What an administrator does through A reaches
// B's memory: a revoked certificate and a removed device are refused within a second, and
// the removal's command is fetched by the phone's next check-in after its push.
func TestChangesThroughOneReplicaReachCheckInsAtTheOther(t *testing.T) {
	first := emptySite(t, storetest.Postgres)
	a := startServe(t, append([]string{"--demo"}, first.flags...)...)
	a.waitServing(t)
	var tok struct{ Token string }
	first.run(t, "token", "create", "--tenant", "default", "--role", "admin", "--json").decode(t, &tok)
	roots, err := sim.Roots(t.Context(), io.Discard, a.url(""), nil)
	if err != nil {
		t.Fatal(err)
	}
	// The phones enrol while A, with the demo's fakes of Apple, runs every job.
	phones, client := enrolForReplay(t, a.url(""), tok.Token, roots, 2)
	db := first.store(t)
	// The phones were just asked everything; without this, the daily status query, which
	// whichever replica leads the jobs runs when it starts, may queue a query for them at
	// any moment of the test.
	storetest.Exec(t, db, "UPDATE ios_enrollments SET status_queried_at = ?", time.Now().UTC())
	b := startServe(t, replicaOf(t, first).flags...)
	b.waitServing(t)
	at := func(s *server, m phonesim.Message) (int, []byte) {
		u, err := url.Parse(m.URL)
		if err != nil {
			t.Fatal(err)
		}
		u.Host = s.addr
		return send(t, client, u.String(), m)
	}
	admin := func(path string) {
		status, out, err := apiPost(t, a, tok.Token, path, `{"reason":"the phone was lost on the train"}`)
		if err != nil || status >= 300 {
			t.Fatalf("POST %s: HTTP %d %s %v", path, status, out, err)
		}
	}

	t.Run("a revoked certificate", func(t *testing.T) {
		phone := phones[0]
		id := deviceOf(t, db, phone)
		loop := idleLoop(t, func() int { code, _ := at(b, phone[2]); return code })
		admin("/devices/" + id + "/revoke-certificates")
		loop.refusedWithin(t, time.Now(), changeBound)
	})

	t.Run("a removed device", func(t *testing.T) {
		phone := phones[1]
		id := deviceOf(t, db, phone)
		if code, out := at(b, phone[2]); code != http.StatusOK || len(out) != 0 {
			t.Fatalf("Idle at B before the removal: HTTP %d %.200s, want 200 and no command", code, out)
		}
		enrolment := platformIDOf(t, db, id)
		pushes := pushesTo(t, db, enrolment)
		admin("/devices/" + id + "/remove-work-data")
		// B has no fake of Apple's push service: a push it sends fails, but was sent.
		a.waitUntil(t, "the phone was pushed", func() bool { return pushesTo(t, db, enrolment) > pushes })
		if code, out := at(b, phone[2]); code != http.StatusOK || !bytes.Contains(out, []byte("RemoveProfile")) {
			t.Fatalf("the next Idle at B after the push: HTTP %d %.200s, want the removal's RemoveProfile", code, out)
		}

		loop := idleLoop(t, func() int { code, _ := at(b, phone[2]); return code })
		if code, out := at(a, phone[3]); code != http.StatusOK {
			t.Fatalf("CheckOut at A: HTTP %d %.200s", code, out)
		}
		loop.refusedWithin(t, time.Now(), changeBound)
	})
}

// idle is a phone sending its Idle report again and again until the test ends, noting
// when it was first refused.
type idle struct {
	mu      sync.Mutex
	refused time.Time
	done    chan struct{}
}

// idleLoop starts sending the Idle report with send, and waits until it was accepted.
func idleLoop(t *testing.T, send func() int) *idle {
	t.Helper()
	l := &idle{done: make(chan struct{})}
	accepted := make(chan struct{})
	go func() {
		defer close(l.done)
		first := true
		for t.Context().Err() == nil {
			code := send()
			if code == http.StatusOK && first {
				first = false
				close(accepted)
			}
			if code != http.StatusOK && !first {
				l.mu.Lock()
				l.refused = time.Now()
				l.mu.Unlock()
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	select {
	case <-accepted:
	case <-l.done:
		t.Fatal("the phone's Idle report was refused before the change")
	case <-time.After(30 * time.Second):
		t.Fatal("the phone's Idle report was not accepted")
	}
	return l
}

// refusedWithin checks that the phone was refused at most bound after since.
func (l *idle) refusedWithin(t *testing.T, since time.Time, bound time.Duration) {
	t.Helper()
	select {
	case <-l.done:
	case <-time.After(bound + 5*time.Second):
		t.Fatalf("the phone's check-ins at the other replica are still accepted %s after the change", bound+5*time.Second)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.refused.IsZero() {
		t.Fatal("the loop ended without a refusal")
	}
	if took := l.refused.Sub(since); took > bound {
		t.Errorf("the other replica refused the phone %s after the change, want within %s", took, bound)
	}
}

// deviceOf returns the ID of the device whose enrolment token the phone sends.
func deviceOf(t *testing.T, st *store.Store, phone []phonesim.Message) string {
	t.Helper()
	token := strings.TrimPrefix(phone[2].Authorization, "Bearer ")
	var id string
	if err := st.Tables().DB().Raw(`SELECT device_id FROM enrolment_tokens WHERE hash = ?`, mdm.HashSecret(token)).Row().Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// platformIDOf returns the device's enrolment ID at Apple's MDM.
func platformIDOf(t *testing.T, st *store.Store, deviceID string) string {
	t.Helper()
	var id string
	if err := st.Tables().DB().Raw(`SELECT platform_id FROM devices WHERE id = ?`, deviceID).Row().Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// pushesTo counts the pushes sent (or tried) to the enrolment.
func pushesTo(t *testing.T, st *store.Store, enrolment string) int {
	t.Helper()
	var n int
	err := st.Tables().DB().Raw(`SELECT COUNT(*) FROM river_job WHERE kind = 'ios_push' AND attempted_at IS NOT NULL AND position(? in args::text) > 0`, enrolment).
		Row().Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
