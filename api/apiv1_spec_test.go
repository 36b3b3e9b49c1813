package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// The OpenAPI document served at /api/v1/openapi.json is valid, and it describes exactly
// the routes the server has under /api/v1: none undocumented, none documented but missing.
func TestOpenAPIDocumentIsValidAndDescribesEveryRoute(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	code, body := w.call(http.MethodGet, "/api/v1/openapi.json", "", "")
	if code != http.StatusOK {
		t.Fatalf("GET /api/v1/openapi.json: %d %s", code, body)
	}
	doc, err := openapi3.NewLoader().LoadFromData([]byte(body))
	if err != nil {
		t.Fatalf("the served document does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the served document is invalid: %v", err)
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" /api/v1"+path] = true
		}
	}
	for _, r := range w.srv.Echo().Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") || r.Path == "/api/v1/openapi.json" {
			continue
		}
		key := r.Method + " " + strings.NewReplacer(":id", "{id}").Replace(r.Path)
		if !documented[key] {
			t.Errorf("%s is routed but not in the OpenAPI document", key)
		}
		delete(documented, key)
	}
	for key := range documented {
		t.Errorf("%s is in the OpenAPI document but not routed", key)
	}
}
