package api_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trennwand/trennwand/api"
)

// harness runs one api.Server on a loopback TLS listener and talks to it as a client would.
type harness struct {
	srv    *api.Server
	reg    *prometheus.Registry
	logs   *syncBuffer
	ready  *readiness
	client *http.Client
	addr   string

	stop     context.CancelFunc
	served   chan error
	stopOnce sync.Once
	stopErr  error
}

// newHarness builds a server with a fresh self-signed certificate, a fresh metrics registry
// and a log captured at debug level. Routes can be mounted on h.srv.Echo() before serve.
func newHarness(t testing.TB, configure ...func(*api.Config)) *harness {
	t.Helper()
	cert := selfSignedCertificate(t, "127.0.0.1")
	h := &harness{reg: prometheus.NewRegistry(), logs: &syncBuffer{}, ready: &readiness{}}
	cfg := api.Config{
		Log:     slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		TLS:     &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		Ready:   h.ready.check,
		Metrics: h.reg,
	}
	for _, c := range configure {
		c(&cfg)
	}
	h.srv = api.New(cfg)

	roots := x509.NewCertPool()
	roots.AddCert(cert.Leaf)
	h.client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	t.Cleanup(h.client.CloseIdleConnections)
	return h
}

// serve starts Serve on a loopback listener; the server is stopped when the test ends.
func (h *harness) serve(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.addr, h.stop, h.served = ln.Addr().String(), cancel, make(chan error, 1)
	go func() { h.served <- h.srv.Serve(ctx, ln) }()
	t.Cleanup(func() { _ = h.shutdown() })
}

// shutdown cancels Serve's context and returns what Serve returned.
func (h *harness) shutdown() error {
	h.stopOnce.Do(func() {
		h.stop()
		h.stopErr = <-h.served
	})
	return h.stopErr
}

// do sends one request over TLS and returns the response with its body read.
func (h *harness) do(t *testing.T, method, path string, body io.Reader) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, "https://"+h.addr+path, body)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp, string(b)
}

// jsonField decodes a JSON object answer and returns one of its string fields.
func jsonField(t *testing.T, resp *http.Response, body, field string) string {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" && ct != "application/json; charset=UTF-8" {
		t.Errorf("Content-Type = %q, want JSON", ct)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("answer is not a JSON object: %v (%q)", err, body)
	}
	s, ok := m[field].(string)
	if !ok {
		t.Errorf("answer %s has no string field %q", body, field)
	}
	return s
}

// readiness is a Ready function whose answer the test sets.
type readiness struct {
	mu  sync.Mutex
	err error
}

func (r *readiness) set(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.err = err
}

func (r *readiness) check(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// syncBuffer collects log output written from the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// selfSignedCertificate makes a throw-away server certificate for ip: the server's own
// certificate comes from the CA, which these tests of the HTTP layer do not need.
func selfSignedCertificate(t testing.TB, ip string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: ip},
		IPAddresses: []net.IP{net.ParseIP(ip)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}
