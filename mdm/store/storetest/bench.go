package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm/store"
)

// Bench runs a benchmark on a fresh, migrated store of every backend the suite runs on.
func Bench(b *testing.B, fn func(b *testing.B, s *store.Store)) {
	for _, backend := range []string{SQLite, Postgres} {
		b.Run(backend, func(b *testing.B) { fn(b, Open(b, backend)) })
	}
}

// ReportP95 reports the 95th percentile of the measured times in milliseconds.
func ReportP95(b *testing.B, took []time.Duration) {
	slices.Sort(took)
	p95 := took[len(took)*95/100]
	b.ReportMetric(float64(p95.Microseconds())/1000, "p95-ms")
}
