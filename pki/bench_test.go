package pki

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/smallstep/scep"
)

// benchParallelism is how many goroutines per CPU the benchmarks run: enrolments wait on
// the database, so more of them than CPUs keep the CA busy.
const benchParallelism = 4

// BenchmarkSCEPEnrolment measures whole SCEP enrolments over HTTP, as many at a time as
// devices bring: the challenge redeemed, the request decrypted and checked, the certificate
// issued and stored, the reply signed and encrypted, and the reply parsed by the device.
// Each enrolment has its own challenge; challenges and request messages (the device's work)
// are made before the timer starts. The devices share eight keys, since a key per request
// would only measure key generation.
func BenchmarkSCEPEnrolment(b *testing.B) {
	for _, backend := range backends {
		b.Run(backend, func(b *testing.B) {
			ca := newTestCA(b, backend)
			srv := httptest.NewServer(ca.SCEPHandler())
			b.Cleanup(srv.Close)
			devices := make([]*scepDevice, 8)
			for i := range devices {
				key, self := newSelfSigned(b, 2048, "scep-client")
				devices[i] = &scepDevice{t: b, server: srv, key: key, self: self}
			}
			ra := scep.EnciphermentCertsSelector().SelectCerts(devices[0].caCerts())
			messages := make([][]byte, b.N)
			for i := range messages {
				ch := mustChallenge(b, ca, Identity{TenantID: "musterstadt", EnrolmentID: fmt.Sprintf("bench-%d", i)})
				messages[i] = devices[i%len(devices)].message(ch, scep.PKCSReq, ra).Raw
			}
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
			b.Cleanup(client.CloseIdleConnections)
			url := srv.URL + "/scep/devices?operation=PKIOperation"
			var next atomic.Int64

			b.SetParallelism(benchParallelism)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := enrolOnce(client, url, messages[next.Add(1)-1]); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "enrolments/s")
		})
	}
}

// enrolOnce posts one PKCSReq and checks that the reply issues a certificate.
func enrolOnce(client *http.Client, url string, message []byte) error {
	resp, err := client.Post(url, "application/x-pki-message", bytes.NewReader(message))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, body)
	}
	rep, err := scep.ParsePKIMessage(body)
	if err != nil {
		return err
	}
	if rep.PKIStatus != scep.SUCCESS {
		return fmt.Errorf("SCEP status %q, failInfo %q", string(rep.PKIStatus), string(rep.FailInfo))
	}
	return nil
}

// BenchmarkBareSign measures what is left of an enrolment without SCEP and HTTP: step's
// authority signing a prepared CSR with the device template and storing the certificate,
// with the same parallelism as BenchmarkSCEPEnrolment, so that the two can be compared.
func BenchmarkBareSign(b *testing.B) {
	for _, backend := range backends {
		b.Run(backend, func(b *testing.B) {
			ca := newTestCA(b, backend)
			csr := newDeviceCSR(b)
			id := Identity{TenantID: "musterstadt", EnrolmentID: "bench"}

			b.SetParallelism(benchParallelism)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := issueDevice(ca, csr, id); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "certificates/s")
		})
	}
}
