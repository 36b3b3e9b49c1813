package api_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// Opening the server's address in a browser leads to the dashboard, and every page has
// the project's own icon instead of a 404 for /favicon.ico.
func TestTheRootLeadsToTheDashboardAndTheIconIsThere(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	rec := httptest.NewRecorder()
	w.srv.Echo().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusFound || rec.Header().Get("Location") != "/ui/" {
		t.Errorf("/: %d %q %s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	rec = httptest.NewRecorder()
	w.srv.Echo().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/favicon.ico", nil))
	if rec.Code != http.StatusOK || !bytes.HasPrefix(rec.Body.Bytes(), []byte{0, 0, 1, 0}) {
		t.Errorf("/favicon.ico: %d %q, want an ICO", rec.Code, rec.Header().Get("Content-Type"))
	}
	rec = httptest.NewRecorder()
	w.srv.Echo().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/ui/signin", nil))
	if !bytes.Contains(rec.Body.Bytes(), []byte(`<link rel="icon" href="/favicon.ico"`)) {
		t.Error("the sign-in page links no icon")
	}
}
