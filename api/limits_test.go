package api_test

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/api"
)

// A request whose header is larger than any phone or browser sends is refused with 431
// before a handler sees it.
func TestAnOversizedHeaderIsRefused(t *testing.T) {
	h := newHarness(t)
	h.serve(t)
	req, err := http.NewRequest(http.MethodGet, "https://"+h.addr+"/healthz", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Padding", strings.Repeat("x", 2*api.MaxHeaderBytes))
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("oversized header: HTTP %d, want 431", resp.StatusCode)
	}
}

// The server serves no more connections at once than it is allowed; the next one is
// served when one of them closes.
func TestConnectionsBeyondTheLimitWait(t *testing.T) {
	h := newHarness(t, func(c *api.Config) { c.MaxConnections = 1 })
	h.serve(t)
	idle, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	h.client.Timeout = 500 * time.Millisecond
	if _, err := h.client.Get("https://" + h.addr + "/healthz"); err == nil {
		t.Fatal("a second connection was served while the only allowed one was open")
	}
	idle.Close()
	h.client.Timeout = 10 * time.Second
	if resp, _ := h.do(t, http.MethodGet, "/healthz", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("after the first connection closed: HTTP %d", resp.StatusCode)
	}
}
