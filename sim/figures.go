package sim

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Summary is what a simulation reports; the JSON keys are part of the stable command line
// (`trennwand sim --json`).
type Summary struct {
	Platform       string  `json:"platform"`
	Count          int     `json:"count"`
	Enrolled       int     `json:"enrolled"`
	Configured     int     `json:"configured"`
	Errors         int     `json:"errors"`
	Retried        int     `json:"retried"`
	Commands       int     `json:"commands"`
	Repeated       int     `json:"commands_repeated"`
	EnrolmentsPerS float64 `json:"enrolments_per_s"`
	CheckinsPerS   float64 `json:"checkins_per_s"`
	P50ms          float64 `json:"p50_ms"`
	P95ms          float64 `json:"p95_ms"`
	P99ms          float64 `json:"p99_ms"`
	Requests       int     `json:"requests"`
	// DDMSyncs, DeclarationsFetched and StatusReports count the Declarative Device
	// Management of iPhones that speak it (--ios-version 17 or later).
	DDMSyncs            int    `json:"ddm_syncs"`
	DeclarationsFetched int    `json:"declarations_fetched"`
	StatusReports       int    `json:"status_reports"`
	FirstError          string `json:"first_error,omitempty"`
}

// WriteText writes the summary for a person.
func (s Summary) WriteText(w io.Writer) error {
	_, err := fmt.Fprintf(w, `%s: %d of %d phones enrolled, %d with their work apps, %d errors, %d retries
  enrolments/s  %.1f
  check-ins/s   %.1f
  latency       p50 %.1f ms, p95 %.1f ms, p99 %.1f ms (%d requests)
`, s.Platform, s.Enrolled, s.Count, s.Configured, s.Errors, s.Retried, s.EnrolmentsPerS, s.CheckinsPerS, s.P50ms, s.P95ms, s.P99ms, s.Requests)
	if err == nil && s.DDMSyncs > 0 {
		_, err = fmt.Fprintf(w, "  DDM           %d syncs, %d declarations fetched, %d status reports\n", s.DDMSyncs, s.DeclarationsFetched, s.StatusReports)
	}
	if err == nil && s.FirstError != "" {
		_, err = fmt.Fprintf(w, "  first error   %s\n", s.FirstError)
	}
	return err
}

// latencies records how long every request of the simulated devices took, through the
// HTTP client's transport.
type latencies struct {
	next http.RoundTripper

	mu  sync.Mutex
	all []time.Duration
}

// RoundTrip times one request up to its answer's headers.
func (l *latencies) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := l.next.RoundTrip(req)
	took := time.Since(start)
	l.mu.Lock()
	l.all = append(l.all, took)
	l.mu.Unlock()
	return resp, err
}

// percentiles returns the number of requests and their p50, p95 and p99 in milliseconds.
func (l *latencies) percentiles() (n int, p50, p95, p99 float64) {
	l.mu.Lock()
	sorted := slices.Clone(l.all)
	l.mu.Unlock()
	if len(sorted) == 0 {
		return 0, 0, 0, 0
	}
	slices.Sort(sorted)
	at := func(q float64) float64 {
		i := int(q * float64(len(sorted)-1))
		return float64(sorted[i].Microseconds()) / 1000
	}
	return len(sorted), at(0.50), at(0.95), at(0.99)
}

// perSecond is n over the duration, 0 for an empty one.
func perSecond(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// Err says how the run fell short: phones that failed or did not get their work apps; nil
// when every phone was configured without an error.
func (s Summary) Err() error {
	if s.Errors > 0 || s.Configured < s.Count {
		return fmt.Errorf("%d of %d phones enrolled, %d configured, %d errors", s.Enrolled, s.Count, s.Configured, s.Errors)
	}
	return nil
}
