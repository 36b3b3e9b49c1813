package main

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"io"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/sim"
)

// BenchmarkSimulatedEnrolments runs `serve --demo` and the simulator in this process, so
// that one CPU profile shows both (the server's share is what `go tool pprof -focus`
// picks out). Each iteration enrols 20 simulated phones of the platform, lets each check in
// 5 times, and reports enrolments and check-ins per second of the whole run:
//
//	go test -run '^$' -bench SimulatedEnrolments -benchtime 5x -cpuprofile cpu.out ./cmd/trennwand/
func BenchmarkSimulatedEnrolments(b *testing.B) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		for _, platform := range []mdm.Platform{mdm.PlatformIOS, mdm.PlatformAndroid} {
			b.Run(backend+"/"+string(platform), func(b *testing.B) {
				server, token, roots := inProcessDemo(b, backend)
				keys := mustKeys(b)
				var enrolled, checkins float64
				for b.Loop() {
					s := sim.New(platform, server, token, roots, 8, keys)
					s.Count, s.Checkins = 20, 5
					sum := s.Run(b.Context())
					if sum.Errors > 0 || sum.Configured != sum.Count {
						b.Fatalf("%+v", sum)
					}
					enrolled += sum.EnrolmentsPerS
					checkins += sum.CheckinsPerS
				}
				b.ReportMetric(enrolled/float64(b.N), "enrolments/s")
				b.ReportMetric(checkins/float64(b.N), "checkins/s")
			})
		}
	}
}

func mustKeys(b testing.TB) func() (*rsa.PrivateKey, error) {
	b.Helper()
	keys, err := sim.SharedKeys(8)
	if err != nil {
		b.Fatal(err)
	}
	return keys
}

// inProcessDemo runs `serve --demo` in this process until the benchmark ends and returns
// its URL, an admin token of the tenant default and the roots that trust it.
func inProcessDemo(b *testing.B, backend string) (string, string, *x509.CertPool) {
	b.Helper()
	data := filepath.Join(b.TempDir(), "data")
	flags := []string{"--data", data, "--db", storetest.NewDSN(b, backend), "--log-level", "error"}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result)
	go func() {
		done <- trennwandUntil(ctx, append([]string{"serve", "--addr", addr, "--public-url", "https://" + addr, "--demo", "--demo-devices", "0"}, flags...)...)
	}()
	b.Cleanup(func() {
		cancel()
		<-done
	})
	server := "https://" + addr
	roots, err := sim.Roots(ctx, io.Discard, server, nil)
	for ; err != nil; roots, err = sim.Roots(ctx, io.Discard, server, nil) {
		if ctx.Err() != nil {
			b.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !sim.AwaitServing(ctx, server, roots) {
		b.Fatal("the server did not start")
	}
	r := trennwandUntil(context.Background(), append([]string{"token", "create", "--tenant", "default", "--role", "admin", "--json"}, flags...)...)
	var tok struct{ Token string }
	if err := json.Unmarshal([]byte(r.stdout), &tok); err != nil || r.code != 0 {
		b.Fatalf("token: %v %s", err, r.stderr)
	}
	return server, tok.Token, roots
}
