package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trennwand/trennwand/api"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/ui/dashboard"
)

// Behind a load balancer the sign-in throttle counts each client as X-Forwarded-For names
// it: one client that keeps guessing is stopped, a colleague behind the same balancer
// still signs in; and a client that is not a trusted proxy cannot dodge the throttle by
// writing the header itself.
func TestSignInThrottleCountsTheClientBehindTrustedProxies(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	w.ahead.Store(int64(storetest.ToMidWindow(time.Now(), access.ThrottleWindow)))
	srv := api.New(api.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: prometheus.NewRegistry(),
		ClientAddr: api.ForwardedFor([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")})})
	d, err := dashboard.New(dashboard.Config{Service: w.svc})
	if err != nil {
		t.Fatal(err)
	}
	srv.MountDashboard(w.svc, d)
	signIn := func(peer, forwardedFor string) int {
		form := url.Values{"tenant": {w.tenant.Name}, "email": {"nobody@musterstadt.example"}, "password": {"guess"}}
		req := httptest.NewRequest(http.MethodPost, "/ui/signin", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = peer
		if forwardedFor != "" {
			req.Header.Set("X-Forwarded-For", forwardedFor)
		}
		rec := httptest.NewRecorder()
		srv.Echo().ServeHTTP(rec, req)
		return rec.Code
	}
	for range access.ClientSignInAttempts {
		if code := signIn("10.1.2.3:443", "198.51.100.7"); code != http.StatusUnauthorized {
			t.Fatalf("a wrong password through the proxy: %d, want 401", code)
		}
	}
	if code := signIn("10.1.2.3:443", "198.51.100.7"); code != http.StatusTooManyRequests {
		t.Errorf("the guessing client's next attempt: %d, want 429", code)
	}
	if code := signIn("10.1.2.3:443", "198.51.100.8"); code != http.StatusUnauthorized {
		t.Errorf("another client behind the same proxy: %d, want 401 (a wrong password, not throttled)", code)
	}
	if code := signIn("10.1.2.3:443", "198.51.100.7, 10.9.9.9"); code != http.StatusTooManyRequests {
		t.Errorf("the guessing client through two proxies: %d, want 429", code)
	}
	for range access.ClientSignInAttempts {
		signIn("203.0.113.9:5000", "")
	}
	if code := signIn("203.0.113.9:5000", "192.0.2.55"); code != http.StatusTooManyRequests {
		t.Errorf("an untrusted client that writes X-Forwarded-For itself: %d, want 429", code)
	}
}
