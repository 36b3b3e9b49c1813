package api_test

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/api"
)

func TestTLS12AcceptsOnlyAEADSuites(t *testing.T) {
	h := newHarness(t)
	h.serve(t)
	for _, tc := range []struct {
		suite uint16
		ok    bool
	}{
		{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, false},
		{tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, false},
		{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, false},
		{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, true},
		{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, true},
		{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, true},
	} {
		t.Run(tls.CipherSuiteName(tc.suite), func(t *testing.T) {
			conn, err := tls.Dial("tcp", h.addr, &tls.Config{InsecureSkipVerify: true,
				MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tc.suite}})
			if err == nil {
				conn.Close()
			}
			if (err == nil) != tc.ok {
				t.Errorf("TLS 1.2 handshake offering only %s: error %v, want success %v", tls.CipherSuiteName(tc.suite), err, tc.ok)
			}
		})
	}
}

func TestMetricsAnswerOnlyClientsOnTheSameHost(t *testing.T) {
	h := newHarness(t)
	h.serve(t)
	h.do(t, http.MethodGet, "/healthz", nil)
	if resp, body := h.do(t, http.MethodGet, "/metrics", nil); resp.StatusCode != http.StatusOK ||
		!strings.Contains(body, "trennwand_http_requests_total") {
		t.Errorf("GET /metrics from loopback: %d, want 200 with the request counts:\n%s", resp.StatusCode, body)
	}
	for name, req := range map[string]*http.Request{
		"another host":               metricsRequest("192.0.2.10:40000", ""),
		"another host over IPv6":     metricsRequest("[2001:db8::1]:40000", ""),
		"a proxy on the same host":   metricsRequest("127.0.0.1:40000", "203.0.113.7"),
		"an IPv4-mapped other host":  metricsRequest("[::ffff:192.0.2.10]:40000", ""),
		"a proxy on the IPv6 host":   metricsRequest("[::1]:40000", "203.0.113.7"),
		"a client with no port info": metricsRequest("somewhere", ""),
	} {
		rec := httptest.NewRecorder()
		h.srv.Echo().ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden || strings.Contains(rec.Body.String(), "trennwand_") {
			t.Errorf("GET /metrics from %s: %d, want 403 without metrics:\n%s", name, rec.Code, rec.Body)
		}
	}
}

func metricsRequest(remote, forwardedFor string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.RemoteAddr = remote
	if forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", forwardedFor)
	}
	return req
}

func TestMetricsOnTheirOwnListener(t *testing.T) {
	h := newHarness(t, func(c *api.Config) { c.MetricsListener = true })
	h.serve(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- h.srv.ServeMetrics(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("ServeMetrics: %v", err)
		}
	})

	if resp, _ := h.do(t, http.MethodGet, "/healthz", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz on the main listener: %d", resp.StatusCode)
	}
	if resp, body := h.do(t, http.MethodGet, "/metrics", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics on the main listener: %d, want 404:\n%s", resp.StatusCode, body)
	}
	main := h.addr
	h.addr = ln.Addr().String()
	defer func() { h.addr = main }()
	resp, body := h.do(t, http.MethodGet, "/metrics", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `trennwand_http_requests_total{code="200",method="GET",route="/healthz"} 1`) {
		t.Errorf("GET /metrics on the metrics listener: %d, want 200 with the main listener's counts:\n%s", resp.StatusCode, body)
	}
	if resp, _ := h.do(t, http.MethodGet, "/healthz", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /healthz on the metrics listener: %d, want 404 (it serves /metrics only)", resp.StatusCode)
	}
}
