package main

import (
	"context"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	androidsim "github.com/trennwand/trennwand/android/phonesim"
	iossim "github.com/trennwand/trennwand/ios/phonesim"
	"github.com/trennwand/trennwand/mdm"
)

func newSimCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "sim ios|android",
		Short: "Simulated phones that enrol and check in with the real protocols, for demos and load",
		Long: `Run simulated phones against a server. Each phone's employee is invited through the
JSON API with the token; then the phone enrols as a real one does.

iOS: discovery, the enrolment request (401), the web sign-in with the invitation code,
the signed enrolment profile, SCEP, Authenticate and TokenUpdate, then answering the
MDM commands it is sent (its work apps). Works against any server.

Android: the portal (privacy notice, enrolment link), then the enrolment token is
redeemed at the AMAPI fake, which notifies the server through Pub/Sub; status reports
follow. Needs a server started with --demo (its demo-only endpoints play the phone's
side at the fake).

After enrolling, each phone checks in until it has its work apps (up to --settle),
then --checkins more times. The summary gives enrolled and configured phones, errors,
enrolments per second, check-ins per second and the latency of the phones' requests.`,
		Example: `  trennwand sim ios --server https://localhost:8443 --token twk_… --count 100
  trennwand sim android --server https://localhost:8443 --token twk_… --count 20 --rate 5 --json`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 || (args[0] != "ios" && args[0] != "android") {
				return usagef("%s takes the platform: ios or android (see %s --help)", c.CommandPath(), c.CommandPath())
			}
			return nil
		},
		RunE: runSim,
	}
	f := c.Flags()
	f.String("server", "", "the server's base URL, as phones reach it (its public URL)")
	f.String("token", "", "API token of the tenant (trennwand token create --role admin); env TRENNWAND_SIM_TOKEN")
	f.Int("count", 10, "how many phones")
	f.Float64("rate", 0, "enrolments started per second (0: as fast as --concurrency allows)")
	f.Int("concurrency", 8, "phones working at the same time")
	f.Int("checkins", 3, "check-ins per phone after it has its work apps")
	f.Duration("settle", time.Minute, "how long a phone waits for its work apps")
	f.Duration("retry", 0, "how long a phone retries a failed enrolment step, every half second (0: never), as phones do while their server restarts")
	f.String("ca", "", "PEM file of the server's root certificate (default: fetched from /pki/ca.pem, trusted on first use)")
	f.Int("keys", 8, "RSA keys the phones share (key generation would otherwise measure the simulator); 0: a new key per phone")
	return c
}

func runSim(cmd *cobra.Command, args []string) error {
	f := cmd.Flags()
	server, _ := f.GetString("server")
	token, _ := f.GetString("token")
	if token == "" {
		token = os.Getenv("TRENNWAND_SIM_TOKEN")
	}
	server = strings.TrimRight(server, "/")
	if !strings.HasPrefix(server, "https://") || token == "" {
		return usagef("sim needs --server https://… and --token (see %s --help)", cmd.CommandPath())
	}
	count, _ := f.GetInt("count")
	concurrency, _ := f.GetInt("concurrency")
	checkins, _ := f.GetInt("checkins")
	keyCount, _ := f.GetInt("keys")
	if count < 1 || concurrency < 1 || checkins < 0 || keyCount < 0 {
		return usagef("--count and --concurrency must be at least 1, --checkins and --keys at least 0")
	}
	caFile, _ := f.GetString("ca")
	roots, err := simRoots(cmd.Context(), cmd.ErrOrStderr(), server, caFile)
	if err != nil {
		return err
	}
	keys, err := sharedKeys(keyCount)
	if err != nil {
		return err
	}
	s := newSimulation(mdm.Platform(args[0]), server, token, roots, concurrency, keys)
	s.count = count
	s.rate, _ = f.GetFloat64("rate")
	s.checkins = checkins
	s.settle, _ = f.GetDuration("settle")
	s.retry, _ = f.GetDuration("retry")
	jsonOut, _ := f.GetBool("json")
	if file, ok := cmd.ErrOrStderr().(*os.File); ok && !jsonOut && term.IsTerminal(int(file.Fd())) {
		s.progress = file
	}
	sum := s.run(cmd.Context())
	if jsonOut {
		if err := printJSON(cmd.OutOrStdout(), sum); err != nil {
			return err
		}
	} else if err := printSimSummary(cmd.OutOrStdout(), sum); err != nil {
		return err
	}
	if sum.Errors > 0 || sum.Configured < sum.Count {
		return fmt.Errorf("%d of %d phones enrolled, %d configured, %d errors", sum.Enrolled, sum.Count, sum.Configured, sum.Errors)
	}
	return nil
}

// newSimulation returns a simulation of phones of the platform against the server; the
// caller sets how many and how fast.
func newSimulation(platform mdm.Platform, server, token string, roots *x509.CertPool, concurrency int, keys func() (*rsa.PrivateKey, error)) *simulation {
	client, lat := phoneClient(roots, concurrency)
	s := &simulation{platform: platform, inviter: inviter{server: server, token: token, client: client}, lat: lat,
		concurrency: concurrency, checkins: 3, settle: time.Minute}
	if platform == mdm.PlatformIOS {
		cfg := iossim.Config{Server: server, Client: client, Keys: keys}
		s.newDevice = func(_ int, appleID string) simDevice { return iosDevice{iossim.New(cfg, appleID)} }
	} else {
		cfg := androidsim.Config{Server: server, Client: client, Token: token}
		s.newDevice = func(int, string) simDevice { return androidDevice{androidsim.New(cfg)} }
	}
	return s
}

// phoneClient returns the HTTP client of simulated phones, which trusts roots, keeps
// connections for that many phones at a time, follows no redirect (the sign-in redirects
// to the phone's own URL scheme) and times every request.
func phoneClient(roots *x509.CertPool, concurrency int) (*http.Client, *latencies) {
	lat := &latencies{next: &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		MaxIdleConnsPerHost: concurrency, ForceAttemptHTTP2: true,
	}}
	return &http.Client{Transport: lat, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, lat
}

// sharedKeys makes n RSA keys and hands them out in turn; with n = 0 every phone makes
// its own.
func sharedKeys(n int) (func() (*rsa.PrivateKey, error), error) {
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

// simRoots returns the roots the phones trust: the file's, or the server's own root
// fetched without verification (a phone gets it the same way, in its enrolment profile).
func simRoots(ctx context.Context, warn io.Writer, server, caFile string) (*x509.CertPool, error) {
	var pemBytes []byte
	var err error
	if caFile != "" {
		if pemBytes, err = os.ReadFile(caFile); err != nil {
			return nil, usagef("--ca: %v", err)
		}
	} else {
		fmt.Fprintf(warn, "trusting the root certificate that %s/pki/ca.pem serves (give --ca to check it)\n", server)
		insecure := &http.Client{Timeout: 30 * time.Second,
			Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // trust on first use, announced above
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, server+"/pki/ca.pem", nil)
		if err != nil {
			return nil, usagef("--server: %v", err)
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

// printSimSummary writes the summary for a person.
func printSimSummary(w io.Writer, s simSummary) error {
	_, err := fmt.Fprintf(w, `%s: %d of %d phones enrolled, %d with their work apps, %d errors, %d retries
  enrolments/s  %.1f
  check-ins/s   %.1f
  latency       p50 %.1f ms, p95 %.1f ms, p99 %.1f ms (%d requests)
`, s.Platform, s.Enrolled, s.Count, s.Configured, s.Errors, s.Retried, s.EnrolmentsPerS, s.CheckinsPerS, s.P50ms, s.P95ms, s.P99ms, s.Requests)
	if err == nil && s.FirstError != "" {
		_, err = fmt.Fprintf(w, "  first error   %s\n", s.FirstError)
	}
	return err
}
