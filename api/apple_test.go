package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// The Apple platform's handler gets every request under its paths, with any method, and
// its answers reach the phone unchanged; other paths never reach it.
func TestAppleRoutes(t *testing.T) {
	h := newHarness(t)
	var mu sync.Mutex
	var seen []string
	saw := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return seen
	}
	h.srv.MountApple(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.RequestURI())
		mu.Unlock()
		w.Header().Set("WWW-Authenticate", `Bearer method="apple-as-web", url="https://mdm.example/apple/signin"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	h.serve(t)

	requests := []struct{ method, path string }{
		{http.MethodGet, "/.well-known/com.apple.remotemanagement?user-identifier=anna%40musterstadt.example"},
		{http.MethodPost, "/apple/enrol"},
		{http.MethodGet, "/apple/signin?user-identifier=anna%40musterstadt.example"},
		{http.MethodPut, "/mdm/checkin"},
		{http.MethodPut, "/mdm/connect"},
	}
	for _, r := range requests {
		resp, _ := h.do(t, r.method, r.path, strings.NewReader("x"))
		if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer ") {
			t.Errorf("%s %s: HTTP %d with %q, want the handler's 401 and challenge", r.method, r.path, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
	}
	got := saw()
	if len(got) != len(requests) {
		t.Fatalf("the handler saw %v", got)
	}
	for i, r := range requests {
		if got[i] != r.method+" "+r.path {
			t.Errorf("the handler saw %q, want %q", got[i], r.method+" "+r.path)
		}
	}

	if resp, _ := h.do(t, http.MethodGet, "/applesauce", nil); resp.StatusCode != http.StatusNotFound || len(saw()) != len(requests) {
		t.Errorf("/applesauce: HTTP %d, handler saw %v", resp.StatusCode, saw())
	}
	// The server's body limit holds for the phones too.
	if resp, _ := h.do(t, http.MethodPut, "/mdm/connect", bytes.NewReader(make([]byte, 2<<20))); resp.StatusCode != http.StatusRequestEntityTooLarge || len(saw()) != len(requests) {
		t.Errorf("oversized body: HTTP %d, handler saw %v", resp.StatusCode, saw())
	}
}
