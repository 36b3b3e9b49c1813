//go:build unix

package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/micromdm/nanolib/log"
	"github.com/micromdm/nanomdm/certverify"
	"github.com/micromdm/nanomdm/cryptoutil"
	httpmdm "github.com/micromdm/nanomdm/http/mdm"
	"github.com/micromdm/nanomdm/service/certauth"
	"github.com/micromdm/nanomdm/service/nanomdm"
	nanostorage "github.com/micromdm/nanomdm/storage"
	"github.com/micromdm/nanomdm/storage/inmem"

	iossim "github.com/trennwand/trennwand/ios/phonesim"
	"github.com/trennwand/trennwand/ios/storage/storagetest"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/sim"
)

// replayPhones is how many enrolled phones a check-in benchmark sends Idle reports from,
// and replayParallelism × GOMAXPROCS how many at a time.
const (
	replayPhones      = 16
	replayParallelism = 4
)

// BenchmarkIdleCheckInsOverHTTP compares whole Idle check-ins over HTTPS — TLS, the
// Mdm-Signature check against the CA, the enrolment, the command queue — of `serve
// --demo` on SQLite and PostgreSQL with nanomdm v0.9.0's own server stack (Mdm-Signature
// extraction, pool verification against the same CA, certauth, nanomdm's service) on its
// `inmem` and `pgsql` storages. The phones are simulated iPhones enrolled through the
// whole protocol; each sends its Idle report signed once, so that the phones' RSA work is
// not measured, and every report finds an empty queue. Reports check-ins/s and the CPU
// time of the process (server and phones' HTTPS client, not the PostgreSQL server) per
// check-in, which depends less on what else the machine is doing:
//
//	go test -run '^$' -bench IdleCheckInsOverHTTP -benchtime 5000x ./cmd/trennwand/
func BenchmarkIdleCheckInsOverHTTP(b *testing.B) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		b.Run("trennwand-"+backend, func(b *testing.B) {
			server, token, roots := inProcessDemo(b, backend)
			msgs, client := enrolForReplay(b, server, token, roots, replayPhones)
			replayIdle(b, client, msgs, func(m iossim.Message) string { return m.URL })
		})
	}
	nano := []struct {
		name string
		open func(testing.TB) nanostorage.AllStorage
	}{
		{"nanomdm-inmem", func(testing.TB) nanostorage.AllStorage { return inmem.New() }},
		{"nanomdm-pgsql", storagetest.NanoPgSQL},
	}
	for _, n := range nano {
		b.Run(n.name, func(b *testing.B) {
			// The phones enrol at a trennwand server for their certificates, then announce
			// themselves to nanomdm with Authenticate and TokenUpdate.
			server, token, roots := inProcessDemo(b, storetest.SQLite)
			msgs, _ := enrolForReplay(b, server, token, roots, replayPhones)
			rootPEM, intermediatePEM := caPEMOf(b, server, roots)
			srv := httptest.NewUnstartedServer(nanomdmHandler(b, n.open(b), rootPEM, intermediatePEM))
			srv.EnableHTTP2 = true // as trennwand's server and client speak
			srv.StartTLS()
			b.Cleanup(srv.Close)
			client := srv.Client()
			at := func(iossim.Message) string { return srv.URL + "/mdm" }
			for _, phone := range msgs {
				for _, m := range phone[:2] {
					if code, out := send(b, client, at(m), m); code != http.StatusOK {
						b.Fatalf("nanomdm refused the phone's check-in: HTTP %d %s", code, out)
					}
				}
			}
			replayIdle(b, client, msgs, at)
		})
	}
}

// enrolForReplay enrols n simulated iPhones at the server, waits until they have their
// work apps (so their queues are empty), and returns each phone's signed messages
// (Authenticate, TokenUpdate, Idle, CheckOut) with the client they use.
func enrolForReplay(b testing.TB, server, token string, roots *x509.CertPool, n int) ([][]iossim.Message, *http.Client) {
	b.Helper()
	s := sim.New(mdm.PlatformIOS, server, token, roots, 8, mustKeys(b))
	s.Count, s.Checkins = n, 1
	var mu sync.Mutex
	var phones []*iossim.Phone
	s.Enrolled = func(d sim.Device) {
		mu.Lock()
		defer mu.Unlock()
		phones = append(phones, d.(sim.IPhone).Phone)
	}
	if sum := s.Run(b.Context()); sum.Errors > 0 || sum.Configured != sum.Count {
		b.Fatalf("enrolment for the benchmark: %+v", sum)
	}
	msgs := make([][]iossim.Message, len(phones))
	for i, p := range phones {
		// Answer whatever else was queued meanwhile (the daily status queries), so that
		// every Idle report finds an empty queue.
		if _, err := p.Wake(b.Context()); err != nil {
			b.Fatal(err)
		}
		m, err := p.Messages(b.Context())
		if err != nil {
			b.Fatal(err)
		}
		msgs[i] = m
	}
	client := sim.PhoneClient(roots, n)
	return msgs, client
}

// replayIdle sends the phones' Idle reports for b.N check-ins, each goroutine as its own
// phone, and reports check-ins per second.
func replayIdle(b *testing.B, client *http.Client, msgs [][]iossim.Message, url func(iossim.Message) string) {
	b.Helper()
	var next atomic.Int64
	b.SetParallelism(replayParallelism)
	cpu := processCPU(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		idle := msgs[int(next.Add(1)-1)%len(msgs)][2]
		for pb.Next() {
			if code, out := send(b, client, url(idle), idle); code != http.StatusOK || len(out) != 0 {
				b.Errorf("Idle check-in: HTTP %d %.200s, want 200 and no command", code, out)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checkins/s")
	b.ReportMetric(float64((processCPU(b)-cpu).Microseconds())/float64(b.N), "cpu-µs/checkin")
}

// processCPU is the CPU time (user and system) the benchmark's process has used so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// send sends one signed MDM message and returns the status and body.
func send(b testing.TB, client *http.Client, url string, m iossim.Message) (int, []byte) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPut, url, bytes.NewReader(m.Body))
	if err != nil {
		b.Error(err)
		return 0, nil
	}
	req.Header.Set("Mdm-Signature", m.Signature)
	if m.Checkin {
		req.Header.Set("Content-Type", "application/x-apple-aspen-mdm-checkin")
	}
	req.Header.Set("Authorization", m.Authorization)
	resp, err := client.Do(req)
	if err != nil {
		b.Error(err)
		return 0, nil
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// caPEMOf returns the server's root and intermediate as nanomdm's pool verifier takes
// them.
func caPEMOf(b *testing.B, server string, roots *x509.CertPool) (rootPEM, intermediatePEM []byte) {
	b.Helper()
	client := sim.PhoneClient(roots, 1)
	resp, err := client.Get(server + "/pki/ca.pem")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	all, _ := io.ReadAll(resp.Body)
	for block, rest := pem.Decode(all); block != nil; block, rest = pem.Decode(rest) {
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			b.Fatal(err)
		}
		out := pem.EncodeToMemory(block)
		if bytes.Equal(cert.RawIssuer, cert.RawSubject) {
			rootPEM = append(rootPEM, out...)
		} else {
			intermediatePEM = append(intermediatePEM, out...)
		}
	}
	return rootPEM, intermediatePEM
}

// nanomdmHandler is nanomdm's MDM endpoint as its own server assembles it with the
// Mdm-Signature header: signature extraction, verification against the CA, certificate
// authentication and the service, on the storage.
func nanomdmHandler(b *testing.B, st nanostorage.AllStorage, rootPEM, intermediatePEM []byte) http.Handler {
	b.Helper()
	verifier, err := certverify.NewPoolVerifier(rootPEM, intermediatePEM, x509.ExtKeyUsageClientAuth)
	if err != nil {
		b.Fatal(fmt.Errorf("nanomdm's verifier: %w", err))
	}
	svc := certauth.New(nanomdm.New(st), st)
	var h http.Handler = httpmdm.CheckinAndCommandHandler(svc, log.NopLogger)
	h = httpmdm.CertVerifyMiddleware(h, verifier, log.NopLogger)
	return httpmdm.CertExtractMdmSignatureMiddleware(h, httpmdm.MdmSignatureVerifierFunc(cryptoutil.VerifyMdmSignature))
}
