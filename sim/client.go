package sim

import (
	"context"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	iossim "github.com/trennwand/trennwand/ios/phonesim"
)

// PhoneClient returns the HTTP client of simulated phones, which trusts roots, keeps
// connections for that many phones at a time and follows no redirect (the sign-in
// redirects to the phone's own URL scheme).
func PhoneClient(roots *x509.CertPool, concurrency int) *http.Client {
	client, _ := phoneClient(roots, concurrency)
	return client
}

// phoneClient is PhoneClient with the record of how long every request took.
func phoneClient(roots *x509.CertPool, concurrency int) (*http.Client, *latencies) {
	lat := &latencies{next: &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		MaxIdleConnsPerHost: concurrency, ForceAttemptHTTP2: true,
	}}
	return &http.Client{Transport: lat, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, lat
}

// SharedKeys makes n RSA keys and hands them out in turn, so that key generation does not
// dominate what a run measures; with n = 0 every phone makes its own.
func SharedKeys(n int) (func() (*rsa.PrivateKey, error), error) {
	if n == 0 {
		return iossim.NewKey, nil
	}
	keys := make([]*rsa.PrivateKey, n)
	for i := range keys {
		k, err := iossim.NewKey()
		if err != nil {
			return nil, err
		}
		keys[i] = k
	}
	var next atomic.Uint64
	return func() (*rsa.PrivateKey, error) { return keys[next.Add(1)%uint64(n)], nil }, nil
}

// Roots returns the roots the phones trust: those in pemBytes, or, when pemBytes is empty,
// the server's own root fetched without verification (a phone gets it the same way, in
// its enrolment profile), which is announced on warn.
func Roots(ctx context.Context, warn io.Writer, server string, pemBytes []byte) (*x509.CertPool, error) {
	if len(pemBytes) == 0 {
		fmt.Fprintf(warn, "trusting the root certificate that %s/pki/ca.pem serves (give --ca to check it)\n", server)
		insecure := &http.Client{Timeout: 30 * time.Second,
			Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // trust on first use, announced above
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, server+"/pki/ca.pem", nil)
		if err != nil {
			return nil, err
		}
		resp, err := insecure.Do(req)
		if err != nil {
			return nil, fmt.Errorf("fetch the server's root certificate: %w", err)
		}
		defer resp.Body.Close()
		if pemBytes, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20)); err != nil || resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("fetch the server's root certificate: HTTP %d %v", resp.StatusCode, err)
		}
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pemBytes) {
		return nil, fmt.Errorf("no PEM certificate in the server's root certificate")
	}
	return roots, nil
}

// AwaitServing waits until the server answers /healthz, or ctx ends.
func AwaitServing(ctx context.Context, server string, roots *x509.CertPool) bool {
	client := PhoneClient(roots, 1)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, server+"/healthz", nil)
		if err != nil {
			return false
		}
		if resp, err := client.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return true
			}
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(100 * time.Millisecond):
		}
	}
}
