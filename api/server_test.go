package api_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/api"
)

func TestHealthzAnswersOK(t *testing.T) {
	h := newHarness(t)
	h.serve(t)

	resp, body := h.do(t, http.MethodGet, "/healthz", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200 (%s)", resp.StatusCode, body)
	}
	if got := jsonField(t, resp, body, "status"); got != "ok" {
		t.Errorf("status field = %q, want ok", got)
	}
}

func TestReadyzFollowsReadyFunc(t *testing.T) {
	h := newHarness(t)
	h.serve(t)

	tests := []struct {
		name       string
		readyErr   error
		wantStatus int
		wantField  string
		wantValue  string
	}{
		{"ready", nil, http.StatusOK, "status", "ready"},
		{"database unreachable", errors.New("database unreachable"), http.StatusServiceUnavailable, "reason", "database unreachable"},
		{"ready again", nil, http.StatusOK, "status", "ready"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.ready.set(tt.readyErr)
			resp, body := h.do(t, http.MethodGet, "/readyz", nil)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d (%s)", resp.StatusCode, tt.wantStatus, body)
			}
			if got := jsonField(t, resp, body, tt.wantField); !strings.Contains(got, tt.wantValue) {
				t.Errorf("%s = %q, want it to contain %q", tt.wantField, got, tt.wantValue)
			}
		})
	}
}

// The employee portal's path carries the invitation code; it must reach neither the
// metrics nor the log, and the metrics are labelled by route template.
func TestMetricsAndLogsUseRouteTemplateNotPath(t *testing.T) {
	h := newHarness(t)
	h.srv.Echo().GET("/e/:code", func(c echo.Context) error { return c.String(http.StatusOK, "portal") })
	h.serve(t)

	for _, path := range []string{"/e/SECRET123", "/e/SECRET123?token=SECRET123", "/nowhere/SECRET123"} {
		h.do(t, http.MethodGet, path, nil)
	}

	for _, tt := range []struct {
		route, code string
		want        float64
	}{
		{"/e/:code", "200", 2},
		{"unmatched", "404", 1},
	} {
		if got := requestsTotal(t, h, tt.route, tt.code); got != tt.want {
			t.Errorf("requests for route %s with code %s = %v, want %v", tt.route, tt.code, got, tt.want)
		}
	}

	resp, metrics := h.do(t, http.MethodGet, "/metrics", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics status = %d, want 200", resp.StatusCode)
	}
	if !strings.Contains(metrics, `trennwand_http_requests_total{code="200",method="GET",route="/e/:code"} 2`) {
		t.Errorf("/metrics lacks the portal route's counter:\n%s", metrics)
	}
	for name, text := range map[string]string{"metrics": metrics, "log": h.logs.String()} {
		if strings.Contains(text, "SECRET123") {
			t.Errorf("%s contains the invitation code:\n%s", name, text)
		}
	}
	if !strings.Contains(h.logs.String(), "route=/e/:code") {
		t.Errorf("log does not name the route template:\n%s", h.logs.String())
	}
}

// requestsTotal reads trennwand_http_requests_total for GET requests to route answered
// with code, failing the test if any series is labelled with something else than a route
// template.
func requestsTotal(t *testing.T, h *harness, route, code string) float64 {
	t.Helper()
	families, err := h.reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	var total float64
	for _, f := range families {
		if f.GetName() != "trennwand_http_requests_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["route"] == route && labels["code"] == code && labels["method"] == http.MethodGet {
				total += m.GetCounter().GetValue()
			}
		}
	}
	return total
}

// hidden hides a reader's length, so that the request is sent chunked and only reading
// the body can find it too large.
func hidden(r io.Reader) io.Reader { return io.MultiReader(r) }

func TestErrorAnswers(t *testing.T) {
	h := newHarness(t)
	e := h.srv.Echo()
	e.GET("/fail", func(echo.Context) error {
		return errors.New("query tenants: password=hunter2 host=10.0.0.5")
	})
	e.GET("/panic", func(echo.Context) error { panic("boom: internal state 0xdeadbeef") })
	e.POST("/upload", func(c echo.Context) error {
		b, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return fmt.Errorf("read upload: %w", err)
		}
		return c.String(http.StatusOK, fmt.Sprint(len(b)))
	})
	h.serve(t)

	tests := []struct {
		name       string
		method     string
		path       string
		body       io.Reader
		wantStatus int
		wantError  string // the "error" field of the JSON answer
		wantLog    string // what the log must say about it, if anything
	}{
		{name: "unknown route", method: http.MethodGet, path: "/no/such/route",
			wantStatus: http.StatusNotFound, wantError: "Not Found"},
		{name: "wrong method", method: http.MethodDelete, path: "/healthz",
			wantStatus: http.StatusMethodNotAllowed, wantError: "Method Not Allowed"},
		{name: "plain error is a generic 500", method: http.MethodGet, path: "/fail",
			wantStatus: http.StatusInternalServerError, wantError: "Internal Server Error", wantLog: "password=hunter2"},
		{name: "panic is a generic 500", method: http.MethodGet, path: "/panic",
			wantStatus: http.StatusInternalServerError, wantError: "Internal Server Error", wantLog: "handler panicked"},
		{name: "body over the limit, length announced", method: http.MethodPost, path: "/upload",
			body:       strings.NewReader(strings.Repeat("x", api.MaxBodyBytes+1)),
			wantStatus: http.StatusRequestEntityTooLarge, wantError: "Request Entity Too Large"},
		{name: "body over the limit, sent chunked", method: http.MethodPost, path: "/upload",
			body:       hidden(strings.NewReader(strings.Repeat("x", api.MaxBodyBytes+1))),
			wantStatus: http.StatusRequestEntityTooLarge, wantError: "Request Entity Too Large"},
		{name: "body at the limit", method: http.MethodPost, path: "/upload",
			body:       hidden(strings.NewReader(strings.Repeat("x", api.MaxBodyBytes))),
			wantStatus: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := h.do(t, tt.method, tt.path, tt.body)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d (%s)", resp.StatusCode, tt.wantStatus, body)
			}
			if tt.wantError != "" {
				if got := jsonField(t, resp, body, "error"); got != tt.wantError {
					t.Errorf("error = %q, want %q", got, tt.wantError)
				}
			}
			for _, detail := range []string{"hunter2", "10.0.0.5", "deadbeef", "goroutine"} {
				if strings.Contains(body, detail) {
					t.Errorf("answer leaks internal detail %q: %s", detail, body)
				}
			}
			if tt.wantLog != "" && !strings.Contains(h.logs.String(), tt.wantLog) {
				t.Errorf("log lacks %q:\n%s", tt.wantLog, h.logs.String())
			}
		})
	}

	t.Run("the panic is logged with its stack", func(t *testing.T) {
		if !strings.Contains(h.logs.String(), "TestErrorAnswers.func") {
			t.Errorf("log has no stack trace of the panic:\n%s", h.logs.String())
		}
	})
	t.Run("the server keeps serving after a panic", func(t *testing.T) {
		if resp, _ := h.do(t, http.MethodGet, "/healthz", nil); resp.StatusCode != http.StatusOK {
			t.Errorf("/healthz status = %d, want 200", resp.StatusCode)
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	h := newHarness(t)
	h.serve(t)

	for _, path := range []string{"/healthz", "/no/such/route"} {
		resp, _ := h.do(t, http.MethodGet, path, nil)
		for header, want := range map[string]string{
			"X-Content-Type-Options":    "nosniff",
			"X-Frame-Options":           "DENY",
			"Strict-Transport-Security": "max-age=",
		} {
			if got := resp.Header.Get(header); !strings.HasPrefix(got, want) {
				t.Errorf("%s: %s = %q, want %q…", path, header, got, want)
			}
		}
	}
}

func TestPlainHTTPIsNotServed(t *testing.T) {
	h := newHarness(t)
	h.serve(t)

	conn, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: "+h.addr+"\r\n\r\n"); err != nil {
		t.Fatalf("write: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return // the server hung up: not served, as wanted
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Errorf("plain HTTP on the TLS port got %s", resp.Status)
	}
}

func BenchmarkHealthz(b *testing.B) {
	h := newHarness(b, func(c *api.Config) { c.Log = slog.New(slog.DiscardHandler) })
	handler := h.srv.Echo()
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("status = %d", rec.Code)
		}
	}
}
