package siem_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm/siem/webhook"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// receiver is a webhook's receiving side as its documentation describes it: it verifies
// each request's signature and takes the events; while down it answers 503.
type receiver struct {
	received
	secret   []byte
	down     atomic.Bool
	refused  atomic.Int64 // requests whose signature did not verify
	requests atomic.Int64
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc.requests.Add(1)
	if rc.down.Load() {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
		return
	}
	b, err := webhook.Receive(r, rc.secret, time.Now())
	if errors.Is(err, webhook.ErrSignature) {
		rc.refused.Add(1)
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	for _, e := range b.Events {
		if string(e.ComputeHash()) != string(e.Hash) {
			http.Error(w, "event hash", http.StatusBadRequest)
			return
		}
		rc.add(e.TenantID, e.Seq)
	}
	w.WriteHeader(http.StatusNoContent)
}

// The webhook gets every event in signed requests, in order per tenant, also those
// appended while it answered 503; a receiver with another secret refuses every request.
func TestTheWebhookReceivesSignedEventsInOrderAlsoAfterItWasDown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		secret := []byte("a secret shared with the receiver, 32 bytes or more")
		rc := &receiver{secret: secret}
		srv := httptest.NewTLSServer(rc)
		t.Cleanup(srv.Close)
		pool := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
		sink, err := webhook.New(webhook.Config{URL: srv.URL + "/audit", RootCAs: pool, Secret: secret})
		if err != nil {
			t.Fatal(err)
		}
		svc := replica(t, s, fastRetries, sink)
		tn := storetest.Tenant(t, svc, "musterstadt")
		from := switchFeed(t, svc, s, tn, true)
		last := appendEvents(t, s, tn.ID, 12)
		waitFor(t, 15*time.Second, "the webhook to receive the events", func() bool { return rc.has(tn.ID, from, last) })

		rc.down.Store(true)
		last = appendEvents(t, s, tn.ID, 20)
		waitFor(t, 15*time.Second, "failed deliveries to be recorded", func() bool {
			st, err := svc.SIEM.Status(context.Background(), tn)
			return err == nil && len(st.Sinks) == 1 && st.Sinks[0].Failures >= 3 &&
				st.Sinks[0].LastError != "" && st.Sinks[0].FailingSince != nil
		})
		rc.down.Store(false)
		waitFor(t, 15*time.Second, "the webhook to receive what it missed", func() bool { return rc.has(tn.ID, from, last) })
		rc.checkInOrder(t, tn.ID, from, last)
		if n := rc.refused.Load(); n != 0 {
			t.Fatalf("%d requests did not verify", n)
		}
	})
}

func TestAWebhookSignatureVerifiesOnlyWithTheSecretTheBodyAndAFreshTimestamp(t *testing.T) {
	secret := []byte("a secret shared with the receiver, 32 bytes or more")
	body := []byte(`{"tenant":"musterstadt","events":[]}`)
	now := time.Unix(1_800_000_000, 0)
	signed := func(ts time.Time, sec []byte, b []byte) http.Header {
		h := http.Header{}
		unix := strconv.FormatInt(ts.Unix(), 10)
		h.Set(webhook.TimestampHeader, unix)
		h.Set(webhook.SignatureHeader, webhook.Sign(sec, unix, b))
		return h
	}
	cases := []struct {
		name string
		h    http.Header
		body []byte
		ok   bool
	}{
		{"as sent", signed(now, secret, body), body, true},
		{"another secret", signed(now, []byte("another secret of thirty-two bytes or so"), body), body, false},
		{"a changed body", signed(now, secret, body), []byte(`{"tenant":"nachbardorf","events":[]}`), false},
		{"ten minutes old", signed(now.Add(-10*time.Minute), secret, body), body, false},
		{"no timestamp", http.Header{webhook.SignatureHeader: {webhook.Sign(secret, "", body)}}, body, false},
	}
	for _, c := range cases {
		if err := webhook.Verify(secret, c.h, c.body, now, 5*time.Minute); (err == nil) != c.ok {
			t.Errorf("%s: Verify = %v", c.name, err)
		}
	}
	// The signature a receiver in any language computes: HMAC-SHA256 over "timestamp.body".
	h := signed(now, secret, body)
	want := "v1=" + hmacHex(secret, h.Get(webhook.TimestampHeader)+"."+string(body))
	if got := h.Get(webhook.SignatureHeader); got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
}

func TestBadWebhookSettingsAreRefused(t *testing.T) {
	secret := []byte("a secret shared with the receiver, 32 bytes or more")
	for _, c := range []webhook.Config{
		{URL: "http://siem.example.org/audit", Secret: secret},
		{URL: "https://user:pw@siem.example.org/audit", Secret: secret},
		{URL: "https://siem.example.org/audit", Secret: []byte("short")},
	} {
		if _, err := webhook.New(c); err == nil {
			t.Errorf("webhook.New(%s, %d bytes of secret) accepted", c.URL, len(c.Secret))
		}
	}
	if _, err := webhook.New(webhook.Config{URL: "https://siem.example.org/audit", Secret: secret}); err != nil {
		t.Fatal(err)
	}
}
