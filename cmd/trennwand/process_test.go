package main

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// server is `trennwand serve` running as a process of its own.
type server struct {
	cmd            *exec.Cmd
	addr           string // the address it was told to listen on
	stdout, stderr *syncBuffer
	exited         chan struct{}
}

// startServe starts `trennwand serve` with args on a free port of the loopback interface.
// The process is killed when the test ends, should it still run.
func startServe(t *testing.T, args ...string) *server {
	t.Helper()
	s := &server{addr: freeAddr(t), stdout: new(syncBuffer), stderr: new(syncBuffer), exited: make(chan struct{})}
	s.cmd = exec.Command(binary(t), slices.Concat([]string{"serve", "--addr", s.addr}, args)...)
	s.cmd.Stdout, s.cmd.Stderr = s.stdout, s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		if !s.hasExited() {
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
		if t.Failed() {
			t.Logf("%s\nstdout:\n%s\nstderr:\n%s", strings.Join(s.cmd.Args, " "), s.stdout, s.stderr)
		}
	})
	return s
}

// freeAddr returns a loopback address with a port that nothing listens on just now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// url returns the server's HTTPS URL of path.
func (s *server) url(path string) string { return "https://" + s.addr + path }

func (s *server) hasExited() bool {
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

// waitUntil waits until cond holds; the server exiting first fails the test.
func (s *server) waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(time.Minute)
	for !cond() {
		select {
		case <-s.exited:
			t.Fatalf("trennwand serve exited with code %d before %s", s.cmd.ProcessState.ExitCode(), what)
		case <-deadline:
			t.Fatalf("gave up waiting for %s", what)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// waitServing waits until the server answers /healthz.
func (s *server) waitServing(t *testing.T) {
	t.Helper()
	s.waitUntil(t, "it answered /healthz", func() bool {
		status, _ := get(t, s.url("/healthz"))
		return status == http.StatusOK
	})
}

// wait waits for the process to end and returns its exit code.
func (s *server) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-s.exited:
	case <-time.After(time.Minute):
		t.Fatal("trennwand serve did not exit")
	}
	return s.cmd.ProcessState.ExitCode()
}

// stop asks the server to stop, as an init system does, and returns its exit code.
func (s *server) stop(t *testing.T) int {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	return s.wait(t)
}

// insecureClient talks to the server the way a probe beside it does: the self-signed
// certificate is not checked.
var insecureClient = &http.Client{
	Timeout:   10 * time.Second,
	Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
}

// get returns the status and body of a GET of url, or 0 when there was no answer.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := insecureClient.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err.Error()
	}
	return resp.StatusCode, string(body)
}
