package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// The Android platform's handler gets the requests under /android/ with their query (the
// push secret travels in it), and nothing else.
func TestAndroidRoutes(t *testing.T) {
	h := newHarness(t)
	var seen []string
	h.srv.MountAndroid(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Method+" "+r.URL.RequestURI())
		w.WriteHeader(http.StatusNoContent)
	}))
	h.serve(t)

	requests := []struct{ method, path string }{
		{http.MethodPost, "/android/pubsub?token=s3cret"},
		{http.MethodGet, "/android/signup?state=abc&enterpriseToken=ET"},
	}
	for _, r := range requests {
		if resp, _ := h.do(t, r.method, r.path, strings.NewReader("{}")); resp.StatusCode != http.StatusNoContent {
			t.Errorf("%s %s: HTTP %d, want the handler's 204", r.method, r.path, resp.StatusCode)
		}
	}
	if resp, _ := h.do(t, http.MethodGet, "/androids", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/androids: HTTP %d", resp.StatusCode)
	}
	if len(seen) != len(requests) || seen[0] != "POST /android/pubsub?token=s3cret" {
		t.Errorf("the handler saw %v", seen)
	}
}
