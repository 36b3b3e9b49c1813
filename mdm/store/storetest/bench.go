package storetest

import (
	"testing"

	"github.com/trennwand/trennwand/mdm/store"
)

// Bench runs a benchmark on a fresh, migrated store of every backend the suite runs on.
func Bench(b *testing.B, fn func(b *testing.B, s *store.Store)) {
	for _, backend := range []string{SQLite, Postgres} {
		b.Run(backend, func(b *testing.B) { fn(b, Open(b, backend)) })
	}
}
