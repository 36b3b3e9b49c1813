package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// The portal answers under /e/ with the server's security headers, and its stylesheet is
// served beside it.
func TestPortalRoutes(t *testing.T) {
	h := newHarness(t)
	h.srv.MountPortal(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("portal " + r.Method + " " + r.URL.Path))
	}))
	h.serve(t)

	for _, c := range []struct{ method, path, want string }{
		{http.MethodGet, "/e/CODE", "portal GET /e/CODE"},
		{http.MethodPost, "/e/CODE/accept", "portal POST /e/CODE/accept"},
		{http.MethodGet, "/e/", "portal GET /e/"},
	} {
		res, body := h.do(t, c.method, c.path, strings.NewReader(""))
		if res.StatusCode != http.StatusOK || body != c.want {
			t.Errorf("%s %s: %d %q", c.method, c.path, res.StatusCode, body)
		}
		if res.Header.Get("Referrer-Policy") != "no-referrer" || !strings.Contains(res.Header.Get("Content-Security-Policy"), "default-src 'self'") {
			t.Errorf("%s: the code could leak: %v", c.path, res.Header)
		}
	}
	res, body := h.do(t, http.MethodGet, "/assets/style.css", nil)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "text/css") || !strings.Contains(body, "focus-visible") {
		t.Errorf("stylesheet: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}
