package siem_test

import (
	"bufio"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/siem/syslog"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// rsyslog is Debian's rsyslogd, started by the test with a TLS input (imtcp with the gtls
// driver) that writes every message it receives to a file, one line each.
type rsyslog struct {
	t    *testing.T
	dir  string
	port int
	cmd  *exec.Cmd
}

// rsyslogTemplate is the line written per message: what rsyslog parsed out of the RFC 5424
// header, and the message.
const rsyslogTemplate = `%pri%|%timereported:::date-rfc3339%|%hostname%|%app-name%|%msgid%|%msg%\n`

// startRsyslog writes the configuration with the certificate and key (PEM) and starts
// rsyslogd on a free port; it is stopped when the test ends.
func startRsyslog(t *testing.T, certPEM, keyPEM []byte) *rsyslog {
	t.Helper()
	bin, err := exec.LookPath("rsyslogd")
	if err != nil {
		for _, p := range []string{"/usr/sbin/rsyslogd", "/sbin/rsyslogd"} {
			if _, serr := os.Stat(p); serr == nil {
				bin, err = p, nil
			}
		}
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("rsyslogd not found: install Debian's rsyslog and rsyslog-gnutls (scripts/test does as root)")
		}
		t.Skip("rsyslogd not found: install Debian's rsyslog and rsyslog-gnutls (scripts/test does as root)")
	}
	r := &rsyslog{t: t, dir: t.TempDir(), port: freePort(t)}
	write := func(name string, b []byte) string {
		p := filepath.Join(r.dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cert, key := write("server.pem", certPEM), write("server.key", keyPEM)
	conf := fmt.Sprintf(`global(workDirectory=%q maxMessageSize="64k"
  defaultNetstreamDriver="gtls" defaultNetstreamDriverCAFile=%q
  defaultNetstreamDriverCertFile=%q defaultNetstreamDriverKeyFile=%q)
module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
input(type="imtcp" address="127.0.0.1" port="%d")
template(name="events" type="string" string="%s")
action(type="omfile" file=%q template="events" asyncWriting="off")
`, r.dir, cert, cert, key, r.port, rsyslogTemplate, filepath.Join(r.dir, "events.log"))
	write("rsyslog.conf", []byte(conf))
	if out, err := exec.Command(bin, "-N1", "-f", filepath.Join(r.dir, "rsyslog.conf")).CombinedOutput(); err != nil {
		t.Fatalf("rsyslog refuses the test's configuration: %v\n%s", err, out)
	}
	r.cmd = exec.Command(bin)
	r.start()
	t.Cleanup(func() {
		r.stop()
		if t.Failed() {
			out, _ := os.ReadFile(filepath.Join(r.dir, "rsyslogd.out"))
			t.Logf("rsyslogd said:\n%s", out)
		}
	})
	return r
}

// start runs rsyslogd in the foreground and waits until it listens.
func (r *rsyslog) start() {
	r.t.Helper()
	r.cmd = exec.Command(r.cmd.Path, "-n", "-f", filepath.Join(r.dir, "rsyslog.conf"), "-i", filepath.Join(r.dir, "rsyslog.pid"))
	out, err := os.OpenFile(filepath.Join(r.dir, "rsyslogd.out"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		r.t.Fatal(err)
	}
	defer out.Close()
	r.cmd.Stdout, r.cmd.Stderr = out, out
	if err := r.cmd.Start(); err != nil {
		r.t.Fatalf("start rsyslogd: %v", err)
	}
	waitFor(r.t, 15*time.Second, "rsyslogd to listen", func() bool {
		c, err := net.Dial("tcp", r.addr())
		if err == nil {
			c.Close()
		}
		return err == nil
	})
}

// stop ends rsyslogd (as a stopped receiver: SIGTERM, and it is gone).
func (r *rsyslog) stop() {
	if r.cmd == nil || r.cmd.Process == nil || r.cmd.ProcessState != nil {
		return
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = r.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = r.cmd.Process.Kill()
		<-done
	}
}

func (r *rsyslog) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(r.port)) }

// line is one message as rsyslog parsed it.
type line struct {
	pri, time, hostname, app, msgID string
	event                           audit.Event
}

// lines reads what rsyslog wrote so far.
func (r *rsyslog) lines() []line {
	r.t.Helper()
	f, err := os.Open(filepath.Join(r.dir, "events.log"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		r.t.Fatal(err)
	}
	defer f.Close()
	var out []line
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		fields := strings.SplitN(sc.Text(), "|", 6)
		if len(fields) != 6 {
			continue // a line being written
		}
		l := line{pri: fields[0], time: fields[1], hostname: fields[2], app: fields[3], msgID: fields[4]}
		if err := json.Unmarshal([]byte(fields[5]), &l.event); err != nil {
			r.t.Fatalf("rsyslog received a message that is not an event: %q: %v", fields[5], err)
		}
		out = append(out, l)
	}
	return out
}

func (r *rsyslog) received() *received {
	got := &received{}
	for _, l := range r.lines() {
		got.add(l.event.TenantID, l.event.Seq)
	}
	return got
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// testCertificate returns a certificate for 127.0.0.1 with its key in PEM and a pool that
// trusts it: the one Go's httptest makes for its TLS servers.
func testCertificate(t *testing.T) (certPEM, keyPEM []byte, roots *x509.CertPool) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	srv.StartTLS()
	defer srv.Close()
	c := srv.TLS.Certificates[0]
	der, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	roots = x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate[0]}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), roots
}

// Debian's rsyslog receives the feed over TLS with octet-counted framing, parses each
// message as RFC 5424, and gets every event in order per tenant, also those appended while
// it was stopped for a while.
func TestRsyslogReceivesEveryEventInOrderAlsoAfterItWasDown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		certPEM, keyPEM, roots := testCertificate(t)
		rs := startRsyslog(t, certPEM, keyPEM)
		sink, err := syslog.New(syslog.Config{Addr: rs.addr(), RootCAs: roots, Hostname: "mdm.musterstadt.de"})
		if err != nil {
			t.Fatal(err)
		}
		svc := replica(t, s, fastRetries, sink)
		tn := storetest.Tenant(t, svc, "musterstadt")
		other := storetest.Tenant(t, svc, "nachbardorf")
		appendEvents(t, s, tn.ID, 2)
		from, otherFrom := switchFeed(t, svc, s, tn, true), switchFeed(t, svc, s, other, true)
		last, otherLast := appendEvents(t, s, tn.ID, 30), appendEvents(t, s, other.ID, 10)
		waitFor(t, 30*time.Second, "rsyslog to receive the events", func() bool {
			got := rs.received()
			return got.has(tn.ID, from, last) && got.has(other.ID, otherFrom, otherLast)
		})

		rs.stop()
		downFrom := last + 1
		last = appendEvents(t, s, tn.ID, 25)
		otherLast = appendEvents(t, s, other.ID, 5)
		waitFor(t, 30*time.Second, "failed deliveries to be recorded", func() bool {
			st, err := svc.SIEM.Status(t.Context(), tn)
			return err == nil && len(st.Sinks) == 1 && st.Sinks[0].Failures >= 2
		})
		if rs.received().has(tn.ID, downFrom, downFrom) {
			t.Fatal("an event arrived while rsyslog was stopped")
		}
		rs.start()
		waitFor(t, 60*time.Second, "rsyslog to receive what it missed", func() bool {
			got := rs.received()
			return got.has(tn.ID, from, last) && got.has(other.ID, otherFrom, otherLast)
		})
		got := rs.received()
		got.checkInOrder(t, tn.ID, from, last)
		got.checkInOrder(t, other.ID, otherFrom, otherLast)

		// Each message as rsyslog parsed it: the header of RFC 5424, and the event whose
		// hash can be recomputed from the message alone.
		for _, l := range rs.lines() {
			e := l.event
			if l.pri != "109" || l.hostname != "mdm.musterstadt.de" || l.app != "trennwand" || l.msgID != string(e.Action) {
				t.Fatalf("header as rsyslog read it: %+v", l)
			}
			at, err := time.Parse(time.RFC3339, l.time)
			if err != nil || !at.Equal(e.At.Truncate(time.Microsecond)) && !at.Equal(e.At.Truncate(time.Second)) {
				t.Fatalf("TIMESTAMP %q for an event at %s (%v)", l.time, e.At, err)
			}
			if string(e.ComputeHash()) != string(e.Hash) {
				t.Fatalf("event %d's hash cannot be recomputed from the message", e.Seq)
			}
		}
	})
}
