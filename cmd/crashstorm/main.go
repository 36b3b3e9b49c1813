// Command crashstorm proves that trennwand survives a power cut in the middle of an
// enrolment storm. It starts `trennwand serve --demo` on a data directory, lets simulated
// iPhones and Android phones enrol with `trennwand sim`, kills the server with SIGKILL
// while they do, starts it again on the same data, lets the phones retry, and then counts
// what the database holds: enrolments completed and stuck, commands queued, delivered and
// delivered twice, certificates without a device, devices without a certificate, and
// whether the audit trail verifies. scripts/crashstorm builds and runs it.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	var cfg config
	flag.StringVar(&cfg.binary, "trennwand", "trennwand", "the trennwand binary to start")
	flag.StringVar(&cfg.dataDir, "data", "", "data directory (default: a new temporary one)")
	flag.StringVar(&cfg.db, "db", "", "database setting of the server (default: SQLite in the data directory); a postgres:// database must be empty")
	flag.IntVar(&cfg.count, "count", 200, "simulated phones of each platform")
	flag.IntVar(&cfg.concurrency, "concurrency", 8, "phones of each platform working at the same time")
	flag.Float64Var(&cfg.rate, "rate", 0, "enrolments of each platform started per second (0: as fast as --concurrency allows)")
	flag.DurationVar(&cfg.killAfter, "kill-after", 4*time.Second, "how long after the first phone's invitation the server is killed")
	flag.DurationVar(&cfg.down, "down", time.Second, "how long the server stays down")
	flag.DurationVar(&cfg.retry, "retry", 2*time.Minute, "how long each phone retries a failed step")
	jsonOut := flag.Bool("json", false, "print the counts as one JSON object")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cfg.dataDir == "" {
		dir, err := os.MkdirTemp("", "crashstorm-")
		if err != nil {
			fail(err)
		}
		defer os.RemoveAll(dir)
		cfg.dataDir = dir
	}
	cfg.log = os.Stderr
	r, err := run(ctx, cfg)
	if err != nil {
		fail(err)
	}
	if *jsonOut {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			fail(err)
		}
	} else {
		r.print(os.Stdout)
	}
	if problems := r.problems(); len(problems) > 0 {
		fail(errors.New("invariants broken: " + fmt.Sprint(problems)))
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "crashstorm:", err)
	os.Exit(1)
}
