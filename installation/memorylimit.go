package installation

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// DefaultMemoryLimit is the Go runtime's soft memory limit for `serve` unless the operator
// sets another (--memory-limit, or GOMEMLIMIT). The server's live heap is a few tens of
// mebibytes whatever the number of phones; the limit makes the collector give memory back
// after a burst (an attack's password hashes and bodies) instead of keeping it at the
// burst's height. It is soft: a heap that needs more gets it, collected more often.
//
// Its size is meant to keep a server with 100,000 phones under 150 MB resident: the
// program's own mapped file is resident in whole (about 50 MiB), the memory outside the Go
// heap (SQLite's page caches among it) is about 13 MiB, and what the runtime holds stays
// near this limit once the live heap is more than half of it, as with the check-in
// memories full (docs/benchmarks.md, "100,000 iPhones, a fifth time").
const DefaultMemoryLimit = "72MiB"

// parseMemoryLimit reads a size such as 100MiB, 2GiB or 512000000 (bytes), the way
// GOMEMLIMIT is written; 0 or "off" means no limit, returned as math.MaxInt64.
func parseMemoryLimit(raw string) (int64, error) {
	if raw == "0" || raw == "off" {
		return math.MaxInt64, nil
	}
	units := []struct {
		suffix string
		factor int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"B", 1}, {"", 1}}
	for _, u := range units {
		digits, ok := strings.CutSuffix(raw, u.suffix)
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(digits, 10, 64)
		if err != nil || n > math.MaxInt64/u.factor || n*u.factor < 32<<20 {
			break
		}
		return n * u.factor, nil
	}
	return 0, fmt.Errorf("memory limit %q: give a size of at least 32MiB such as 100MiB or 2GiB, or off (--memory-limit, TRENNWAND_MEMORY_LIMIT)", raw)
}
