package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

func TestServeCreatesAnInstallationAndShowsTheSignInOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := emptySite(t, backend)

		first := startServe(t, append(s.flags, "--admin-email", "IT@musterstadt.de")...)
		first.waitServing(t)
		for _, path := range []string{"/healthz", "/readyz"} {
			if status, body := get(t, first.url(path)); status != http.StatusOK {
				t.Errorf("GET %s: %d %s, want 200", path, status, body)
			}
		}
		status, metrics := get(t, first.url("/metrics"))
		if status != http.StatusOK || !strings.Contains(metrics, "trennwand_http_requests_total{") ||
			!strings.Contains(metrics, "go_goroutines ") {
			t.Errorf("GET /metrics: %d, want 200 with request counts and Go runtime metrics:\n%s", status, metrics)
		}
		trennwand(t, "healthcheck", "--url", first.url("/readyz")).wantCode(t, 0)
		trennwand(t, "healthcheck", "--addr", first.addr).wantCode(t, 0)
		if code := first.stop(t); code != 0 {
			t.Fatalf("serve exited with %d after SIGTERM, want 0", code)
		}

		signIn := first.stdout.String()
		for _, want := range []string{"Tenant:         default", "E-mail:         it@musterstadt.de", "Second factor:  ",
			"Sign-in page:   https://" + first.addr + "/ui/", "otpauth://totp/"} {
			if !strings.Contains(signIn, want) {
				t.Errorf("the sign-in details do not show %q:\n%s", want, signIn)
			}
		}
		password := regexp.MustCompile(`Password: +(\S+)`).FindStringSubmatch(signIn)
		if password == nil {
			t.Fatalf("the sign-in details show no password:\n%s", signIn)
		}
		st := s.store(t)
		tn, err := st.Tenants().TenantByName(t.Context(), "default")
		if err != nil {
			t.Fatalf("no tenant default: %v", err)
		}
		admin, err := store.AccessOf(st).AdminByEmail(t.Context(), tn.ID, "it@musterstadt.de")
		if err != nil {
			t.Fatalf("no first administrator: %v", err)
		}
		if matches, err := access.CheckPassword(admin, password[1]); admin.Role != "admin" || err != nil || !matches {
			t.Errorf("the first administrator has role %q and the printed password matches: %v (%v); want admin, true",
				admin.Role, matches, err)
		}
		if backend == storetest.SQLite {
			if _, err := os.Stat(filepath.Join(s.data, "trennwand.db")); err != nil {
				t.Errorf("no database in the data directory: %v", err)
			}
		}

		second := startServe(t, s.flags...)
		second.waitServing(t)
		if status, body := get(t, second.url("/readyz")); status != http.StatusOK {
			t.Errorf("GET /readyz after the second start: %d %s, want 200", status, body)
		}
		if code := second.stop(t); code != 0 {
			t.Errorf("the second start exited with %d, want 0", code)
		}
		if out := second.stdout.String(); out != "" {
			t.Errorf("the second start printed\n%s\nwant nothing: the sign-in details are shown once", out)
		}
	})
}

func TestServeJSONPrintsTheSignInAsOneObject(t *testing.T) {
	s := emptySite(t, storetest.SQLite)
	srv := startServe(t, append(s.flags, "--json", "--public-url", "https://mdm.musterstadt.de")...)
	srv.waitServing(t)
	if code := srv.stop(t); code != 0 {
		t.Fatalf("serve exited with %d after SIGTERM, want 0", code)
	}

	r := result{args: srv.cmd.Args, stdout: srv.stdout.String()}
	var signIn map[string]string
	r.decode(t, &signIn)
	want := map[string]string{"tenant": "default", "email": "admin@localhost", "url": "https://mdm.musterstadt.de/ui/"}
	for k, v := range want {
		if signIn[k] != v {
			t.Errorf("%s is %q, want %q", k, signIn[k], v)
		}
	}
	for _, k := range []string{"password", "totp_secret", "totp_url"} {
		if signIn[k] == "" {
			t.Errorf("%s is missing", k)
		}
	}
}

func TestServeTrustsItsOwnCertificateForLoopback(t *testing.T) {
	s := emptySite(t, storetest.SQLite)
	srv := startServe(t, s.flags...)
	srv.waitServing(t)

	pem, err := os.ReadFile(filepath.Join(s.data, "server.crt"))
	if err != nil {
		t.Fatalf("no server certificate in the data directory: %v", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		t.Fatal("server.crt holds no PEM certificate")
	}
	conn, err := tls.Dial("tcp", srv.addr, &tls.Config{RootCAs: roots, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatalf("the server's certificate does not verify for 127.0.0.1 against server.crt: %v", err)
	}
	conn.Close()
}

func TestASecondServerOnTheSameDataDirectoryIsRefused(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := emptySite(t, backend)
		first := startServe(t, s.flags...)
		first.waitServing(t)
		signIn := first.stdout.String()

		second := startServe(t, s.flags...)
		if code := second.wait(t); code == 0 {
			t.Fatal("the second server exited with 0, want a failure")
		}
		if msg := second.stderr.String(); !strings.Contains(msg, "already running") || !strings.Contains(msg, s.data) {
			t.Errorf("the second server says\n%s\nwant that a server is already running on %s", msg, s.data)
		}
		if out := second.stdout.String(); out != "" {
			t.Errorf("the second server printed\n%s\nwant nothing", out)
		}
		if status, _ := get(t, second.url("/healthz")); status != 0 {
			t.Errorf("the refused server answered on %s with %d", second.addr, status)
		}

		if status, body := get(t, first.url("/readyz")); status != http.StatusOK {
			t.Errorf("the first server answers /readyz with %d %s, want 200", status, body)
		}
		if out := first.stdout.String(); out != signIn {
			t.Errorf("the first server's output changed from\n%s\nto\n%s", signIn, out)
		}
		if code := first.stop(t); code != 0 {
			t.Errorf("the first server exited with %d after SIGTERM, want 0", code)
		}
	})
}

func TestServeFinishesTheRequestInFlightOnSIGTERM(t *testing.T) {
	s := emptySite(t, storetest.SQLite)
	srv := startServe(t, append(s.flags, "--log-level", "debug")...)
	srv.waitServing(t)

	// A request whose body has not arrived yet: the server reads it before it sends the
	// answer, so the request stays in flight for as long as the test wants.
	conn, err := tls.Dial("tcp", srv.addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := fmt.Fprintf(conn, "GET /readyz HTTP/1.1\r\nHost: %s\r\nContent-Length: 5\r\n\r\n", srv.addr); err != nil {
		t.Fatal(err)
	}
	srv.waitUntil(t, "the request reached its handler", func() bool { return srv.stderr.Contains("route=/readyz") })

	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	srv.waitUntil(t, "it began to stop", func() bool { return srv.stderr.Contains("stopping") })
	srv.waitUntil(t, "it stopped taking new connections", func() bool {
		c, err := net.DialTimeout("tcp", srv.addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	if srv.hasExited() {
		t.Fatal("the server exited with a request in flight")
	}

	if _, err := io.WriteString(conn, "hello"); err != nil {
		t.Fatalf("finish the request: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to the request in flight: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"ready"`) {
		t.Errorf("the request in flight got %d %s, want 200 ready", resp.StatusCode, body)
	}

	if code := srv.wait(t); code != 0 {
		t.Errorf("serve exited with %d after SIGTERM, want 0", code)
	}
	if !srv.stderr.Contains(`msg=stopped`) {
		t.Error(`serve did not log "stopped"`)
	}
}
