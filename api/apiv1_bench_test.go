package api_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// BenchmarkDeviceList100k measures GET /api/v1/devices on SQLite with 100,000 devices in
// the tenant: the first page, a page deep in the listing (by cursor), a filtered page and
// searches: narrow, middling, matching everyone, and a broad one with a filter; then the
// dashboard's pages. It reports the 95th percentile of the request time in milliseconds.
//
//	go test -run '^$' -bench DeviceList100k -benchtime 200x ./api/
func BenchmarkDeviceList100k(b *testing.B) {
	benchmarkDeviceList(b, storetest.SQLite, 100_000)
}

// BenchmarkDeviceListMillionOnPostgres is BenchmarkDeviceList100k with 1,000,000 devices on
// PostgreSQL (seeding takes some minutes):
//
//	go test -run '^$' -bench DeviceListMillionOnPostgres -benchtime 200x -timeout 60m ./api/
func BenchmarkDeviceListMillionOnPostgres(b *testing.B) {
	benchmarkDeviceList(b, storetest.Postgres, 1_000_000)
}

// benchmarkDeviceList seeds one tenant with n devices on the backend and measures the
// device list's requests through the whole server.
func benchmarkDeviceList(b *testing.B, backend string, n int) {
	s := storetest.Open(b, backend)
	w := newAPIWorld(b, s)
	storetest.SeedDevices(b, s, w.tenant.ID, n)
	if backend == storetest.Postgres {
		// As autovacuum would after a bulk load: fresh statistics for the planner.
		if err := s.Tables().DB().Exec("ANALYZE").Error; err != nil {
			b.Fatal(err)
		}
	}

	// A cursor half way down the listing.
	path := "/api/v1/devices?limit=500"
	var deep string
	for range 100 {
		code, body := w.call(http.MethodGet, path, w.tokens[mdm.RoleAdmin], "")
		if code != http.StatusOK {
			b.Fatalf("GET %s: %d %s", path, code, body)
		}
		var page struct {
			NextCursor string `json:"next_cursor"`
		}
		_ = json.Unmarshal([]byte(body), &page)
		deep, path = page.NextCursor, "/api/v1/devices?limit=500&after="+page.NextCursor
	}
	for _, q := range []struct{ name, query string }{
		{"first-page", "?limit=50"},
		{"deep-page", "?limit=50&after=" + deep},
		{"filtered", "?limit=50&platform=ios&state=enrolling&compliance=noncompliant"},
		{"search-narrow", "?limit=50&q=person00123"},
		{"search-1000-matches", "?limit=50&q=person0012"},
		{"search-everyone", "?limit=50&q=person"},
		{"search-10000-matches-and-filter", "?limit=50&q=person004&state=active"},
	} {
		b.Run(q.name, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				begin := time.Now()
				code, body := w.call(http.MethodGet, "/api/v1/devices"+q.query, w.tokens[mdm.RoleAdmin], "")
				took = append(took, time.Since(begin))
				if code != http.StatusOK {
					b.Fatalf("%d %s", code, body)
				}
			}
			storetest.ReportP95(b, took)
		})
	}
	// The dashboard's device list and overview pages, rendered for a signed-in
	// administrator.
	s100k := w.session(w.tenant, mdm.RoleAdmin)
	for _, page := range []string{"/ui/devices", "/ui/devices?q=person00123", "/ui/devices?q=son+00123", "/ui/devices?sort=name&order=asc",
		"/ui/devices?sort=contact&order=desc", "/ui/"} {
		b.Run("page"+page, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				begin := time.Now()
				code, _, body := w.page(http.MethodGet, page, s100k, nil)
				took = append(took, time.Since(begin))
				if code != http.StatusOK {
					b.Fatalf("%d %.300s", code, body)
				}
			}
			storetest.ReportP95(b, took)
		})
	}
}
