package siem_test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
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

// startRsyslog starts rsyslogd with the CA, certificate and key (PEM) and the gtls
// driver's authMode for senders ("anon", or "x509/certvalid" for a certificate from the
// CA).
func startRsyslog(t *testing.T, caPEM, certPEM, keyPEM []byte, authMode string) *rsyslog {
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
	ca, cert, key := write("ca.pem", caPEM), write("server.pem", certPEM), write("server.key", keyPEM)
	conf := fmt.Sprintf(`global(workDirectory=%q maxMessageSize="64k"
  defaultNetstreamDriver="gtls" defaultNetstreamDriverCAFile=%q
  defaultNetstreamDriverCertFile=%q defaultNetstreamDriverKeyFile=%q)
module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode=%q)
input(type="imtcp" address="127.0.0.1" port="%d")
template(name="events" type="string" string="%s")
action(type="omfile" file=%q template="events" asyncWriting="off")
`, r.dir, ca, cert, key, authMode, r.port, rsyslogTemplate, filepath.Join(r.dir, "events.log"))
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

// Debian's rsyslog receives the feed over TLS with octet-counted framing, parses each
// message as RFC 5424, and gets every event in order per tenant, also those appended while
// it was stopped for a while.
func TestRsyslogReceivesEveryEventInOrderAlsoAfterItWasDown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		caPEM, certPEM, keyPEM, roots := testPKI(t)
		rs := startRsyslog(t, caPEM, certPEM, keyPEM, "anon")
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

// RFC 5425's mutual authentication: a receiver that wants the sender's certificate takes
// the events from a sink configured with one from its CA, and refuses a sink without.
func TestRsyslogThatAsksForTheSendersCertificateGetsIt(t *testing.T) {
	caPEM, leafPEM, keyPEM, roots := testPKI(t)
	rs := startRsyslog(t, caPEM, leafPEM, keyPEM, "x509/certvalid")
	e := audit.Event{TenantID: "t1", Seq: 1, At: time.Now().UTC().Truncate(time.Microsecond), Actor: "cli:test",
		Action: audit.SIEMEnable, Subject: audit.Tenant.Of("t1"), Details: audit.NoDetails, PrevHash: audit.GenesisHash}
	e.Hash = e.ComputeHash()

	anonymous, err := syslog.New(syslog.Config{Addr: rs.addr(), RootCAs: roots, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := anonymous.Send(t.Context(), mdm.Tenant{ID: "t1"}, []audit.Event{e}); err == nil {
		t.Fatal("a sender without a certificate was taken")
	}
	pair, err := tls.X509KeyPair(leafPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	known, err := syslog.New(syslog.Config{Addr: rs.addr(), RootCAs: roots, Certificate: &pair})
	if err != nil {
		t.Fatal(err)
	}
	if err := known.Send(t.Context(), mdm.Tenant{ID: "t1"}, []audit.Event{e}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, "rsyslog to receive the event", func() bool { return rs.received().has("t1", 1, 1) })
}

// testPKI makes a CA and one certificate from it for 127.0.0.1 that serves as the
// receiver's and as the sender's, in PEM, and a pool that trusts the CA.
func testPKI(t *testing.T) (caPEM, leafPEM, keyPEM []byte, roots *x509.CertPool) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "siem test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	roots = x509.NewCertPool()
	roots.AddCert(ca)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), roots
}
