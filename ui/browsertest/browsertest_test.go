package browsertest_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/trennwand/trennwand/ui/browsertest"
)

// The check finds what it is there to find: a field without a label, an image without a
// text, grey on white, a page without a language.
func TestTheAccessibilityCheckFindsViolations(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><html><head><title>bad</title></head><body><main>
<img src="/x.png"><input type="text"><p style="color:#bbb;background:#fff">faint</p></main></body></html>`))
	}))
	t.Cleanup(srv.Close)
	tab := browsertest.New(t).Phone(t, "Mozilla/5.0 (Linux; Android 14) Mobile", "de")
	tab.Do(chromedp.Navigate(srv.URL))
	var found []string
	for _, v := range tab.Violations() {
		found = append(found, v.ID)
	}
	for _, want := range []string{"image-alt", "label", "color-contrast", "html-has-lang"} {
		if !slices.Contains(found, want) {
			t.Errorf("axe-core did not report %s (found %v)", want, found)
		}
	}
}
