package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/trennwand/trennwand/sim"
)

// config says what storm to run.
type config struct {
	binary      string // the trennwand binary
	dataDir     string
	db          string // empty: SQLite in dataDir
	count       int    // phones of each platform
	concurrency int
	// rate is how many enrolments of each platform start per second; zero: as fast as the
	// concurrency allows. A test sets it so that the storm outlasts killAfter on a fast
	// machine as on a slow one.
	rate      float64
	killAfter time.Duration
	down      time.Duration
	retry     time.Duration
	// settle is how long a phone waits for its work apps after enrolling; zero is retry.
	settle time.Duration
	log    io.Writer // progress; may be io.Discard
	// replicas is how many servers share the database (PostgreSQL), each with a data
	// directory of its own; each one after the first gets iPhones of its own. Zero is one.
	replicas int
	// failover, when set, is the fault instead of the server's kill: the database's
	// primary is lost and its standby takes over while the servers keep running.
	failover func(context.Context) error
}

// storm is one run: the server's address and token, and its current process.
type storm struct {
	cfg    config
	addr   string
	server *exec.Cmd
	exited chan struct{} // closed when the server's process has ended
	starts int
}

// run starts the server, starts the phones, kills the server, starts it again, waits for
// the phones and counts.
func run(ctx context.Context, cfg config) (result, error) {
	s := &storm{cfg: cfg}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	s.addr = ln.Addr().String()
	_ = ln.Close()
	if err := s.start(ctx); err != nil {
		return result{}, err
	}
	defer s.kill()
	out, err := s.trennwand(ctx, "token", "create", "--tenant", "default", "--role", "admin", "--json")
	if err != nil {
		return result{}, err
	}
	var tok struct{ Token string }
	if err := json.Unmarshal(out, &tok); err != nil || tok.Token == "" {
		return result{}, fmt.Errorf("token create printed %q", out)
	}

	peers := []*storm{s}
	for i := 1; i < cfg.replicas; i++ {
		p, err := s.replica(ctx, i)
		if err != nil {
			return result{}, err
		}
		defer p.kill()
		peers = append(peers, p)
	}
	// The phones get the CA now, so that a server killed early cannot keep them from starting.
	type phones struct {
		server   *storm
		platform string
	}
	// Every server gets iPhones. Android phones only come with one server: the demo plays
	// Google in the server's process, so replicas would each have a Google of their own,
	// and each one's sync would find the others' work profiles gone.
	var fleets []phones
	for _, p := range peers {
		if err := p.saveCA(ctx); err != nil {
			return result{}, err
		}
		fleets = append(fleets, phones{p, "ios"})
	}
	if len(peers) == 1 {
		fleets = append(fleets, phones{s, "android"})
	}
	sums := make([]sim.Summary, len(fleets))
	simErrs := make([]error, len(fleets))
	var wg sync.WaitGroup
	for i, f := range fleets {
		wg.Go(func() { sums[i], simErrs[i] = f.server.sim(ctx, f.platform, tok.Token) })
	}
	if err := s.awaitFirstInvitation(ctx, tok.Token); err != nil {
		return result{}, err
	}
	s.logf("%d phones of each fleet enrolling; the fault in %s", cfg.count, cfg.killAfter)
	select {
	case <-time.After(cfg.killAfter):
	case <-ctx.Done():
		return result{}, ctx.Err()
	}
	if cfg.failover != nil {
		lost := time.Now()
		if err := cfg.failover(ctx); err != nil {
			return result{}, fmt.Errorf("fail over: %w", err)
		}
		for _, p := range peers {
			if err := p.awaitReady(ctx); err != nil {
				return result{}, fmt.Errorf("after the failover: %w", err)
			}
		}
		s.logf("database failed over; every server ready again %s after the primary was lost", time.Since(lost).Round(100*time.Millisecond))
	} else {
		s.kill()
		s.logf("server killed (SIGKILL); down for %s", cfg.down)
		time.Sleep(cfg.down)
		if err := s.start(ctx); err != nil {
			return result{}, fmt.Errorf("restart on the same data: %w", err)
		}
		s.logf("server started again; phones retrying")
	}
	wg.Wait()
	for _, err := range simErrs {
		if err != nil {
			return result{}, err
		}
	}
	for _, p := range peers[1:] {
		if err := p.stop(); err != nil {
			return result{}, err
		}
	}
	if err := s.stop(); err != nil {
		return result{}, err
	}
	r := result{Phones: len(fleets) * cfg.count, Sims: sums}
	for _, sum := range sums {
		r.Enrolled += sum.Enrolled
		r.Retried += sum.Retried
		r.SimErrors += sum.Errors
		r.CommandsDelivered += sum.Commands
		r.CommandsRepeated += sum.Repeated
	}
	if err := s.count(ctx, &r); err != nil {
		return result{}, err
	}
	return r, nil
}

// replica starts the i-th further server on the database, with a data directory of its
// own and the first one's master key, as an operator adds a replica.
func (s *storm) replica(ctx context.Context, i int) (*storm, error) {
	cfg := s.cfg
	cfg.dataDir = filepath.Join(s.cfg.dataDir, "replica-"+strconv.Itoa(i))
	if err := os.MkdirAll(cfg.dataDir, 0o700); err != nil {
		return nil, err
	}
	key, err := os.ReadFile(filepath.Join(s.cfg.dataDir, "master.key"))
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(cfg.dataDir, "master.key"), key, 0o600); err != nil {
		return nil, err
	}
	p := &storm{cfg: cfg}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p.addr = ln.Addr().String()
	_ = ln.Close()
	return p, p.start(ctx)
}

func (s *storm) logf(format string, args ...any) {
	fmt.Fprintf(s.cfg.log, "crashstorm: "+format+"\n", args...)
}

// common are the flags that name the installation.
func (s *storm) common() []string {
	args := []string{"--data", s.cfg.dataDir}
	if s.cfg.db != "" {
		args = append(args, "--db", s.cfg.db)
	}
	return args
}

// url is the server's base URL.
func (s *storm) url() string { return "https://" + s.addr }

// start starts `trennwand serve --demo` and waits until it is ready.
func (s *storm) start(ctx context.Context) error {
	s.starts++
	logFile, err := os.Create(s.logPath())
	if err != nil {
		return err
	}
	defer logFile.Close()
	args := append([]string{"serve"}, s.common()...)
	args = append(args, "--addr", s.addr, "--public-url", s.url(), "--demo", "--demo-devices", "0", "--log-level", "warn")
	s.server = exec.Command(s.cfg.binary, args...)
	s.server.Stdout, s.server.Stderr = logFile, logFile
	if err := s.server.Start(); err != nil {
		return fmt.Errorf("start %s: %w", s.cfg.binary, err)
	}
	s.exited = make(chan struct{})
	go func() {
		_ = s.server.Wait()
		close(s.exited)
	}()
	return s.awaitReady(ctx)
}

// logPath is where the server's current process writes its log.
func (s *storm) logPath() string {
	return filepath.Join(s.cfg.dataDir, "serve-"+strconv.Itoa(s.starts)+".log")
}

// awaitReady waits until the server's /readyz says it can do its work.
func (s *storm) awaitReady(ctx context.Context) error {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			s.server = nil
			log, _ := os.ReadFile(s.logPath())
			return fmt.Errorf("trennwand serve exited:\n%s", log)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if resp, err := probeClient.Get(s.url() + "/readyz"); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("trennwand serve was not ready within two minutes")
}

// probeClient talks to the server the storm started, whose certificate it does not check.
var probeClient = &http.Client{Timeout: 5 * time.Second,
	Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // a probe of our own server

// kill ends the server as a power cut does.
func (s *storm) kill() {
	if s.server != nil {
		_ = s.server.Process.Kill()
		<-s.exited
	}
	s.server = nil
}

// stop ends the server as an init system does, so that the counts see everything.
func (s *storm) stop() error {
	if s.server == nil {
		return nil
	}
	if err := s.server.Process.Signal(os.Interrupt); err != nil {
		return err
	}
	<-s.exited
	s.server = nil
	return nil
}

// awaitFirstInvitation waits until the phones have begun: the first one is invited.
func (s *storm) awaitFirstInvitation(ctx context.Context, token string) error {
	for range 1200 {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url()+"/api/v1/invitations", nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		if resp, err := probeClient.Do(req); err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			_ = resp.Body.Close()
			if bytes.Contains(body, []byte(`"id"`)) {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("the phones did not begin within two minutes")
}

// caFile is where the server's root certificate is kept for the phones.
func (s *storm) caFile() string { return filepath.Join(s.cfg.dataDir, "crashstorm-ca.pem") }

// saveCA fetches the server's root certificate into caFile.
func (s *storm) saveCA(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url()+"/pki/ca.pem", nil)
	if err != nil {
		return err
	}
	resp, err := probeClient.Do(req)
	if err != nil {
		return fmt.Errorf("fetch the CA: %w", err)
	}
	defer resp.Body.Close()
	pem, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetch the CA: HTTP %d %v", resp.StatusCode, err)
	}
	return os.WriteFile(s.caFile(), pem, 0o600)
}

// sim runs `trennwand sim` for the platform and returns its summary.
func (s *storm) sim(ctx context.Context, platform, token string) (sim.Summary, error) {
	out, err := s.trennwand(ctx, "sim", platform, "--server", s.url(), "--token", token,
		"--count", strconv.Itoa(s.cfg.count), "--concurrency", strconv.Itoa(s.cfg.concurrency),
		"--checkins", "1", "--retry", s.cfg.retry.String(), "--settle", cmp.Or(s.cfg.settle, s.cfg.retry).String(),
		"--ca", s.caFile(), "--rate", strconv.FormatFloat(s.cfg.rate, 'f', -1, 64), "--json")
	var sum sim.Summary
	if jerr := json.Unmarshal(out, &sum); jerr != nil {
		return sum, fmt.Errorf("sim %s: %v (%v)", platform, err, jerr)
	}
	return sum, nil
}

// trennwand runs one command line of the binary on the installation and returns its
// standard output; a command that fails still returns what it printed.
func (s *storm) trennwand(ctx context.Context, args ...string) ([]byte, error) {
	if args[0] != "sim" {
		args = append(args, s.common()...)
	}
	cmd := exec.CommandContext(ctx, s.cfg.binary, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("trennwand %s: %w: %.500s", args[0], err, stderr.Bytes())
	}
	return out, nil
}
