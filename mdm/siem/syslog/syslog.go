// Package syslog is the SIEM feed's syslog sink: each audit event as one RFC 5424
// message, sent over TLS with the octet-counting framing of RFC 5425.
package syslog

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/leodido/go-syslog/v4/rfc5424"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/siem"
)

// The header of every message: facility "log audit" (13), severity "notice" (5), the
// program's name. MSGID is the event's action.
const (
	priority = 13*8 + 5
	appName  = "trennwand"
	// maxMsgID is RFC 5424's limit on MSGID; a longer action leaves it empty ("-").
	maxMsgID = 32
)

// Config says where the receiver is and how to trust it.
type Config struct {
	// Addr is the receiver's host:port (6514 is syslog over TLS's port).
	Addr string
	// RootCAs are the CAs the receiver's certificate must come from; nil means the
	// system's.
	RootCAs *x509.CertPool
	// Certificate, if set, is shown to a receiver that asks the sender to authenticate.
	Certificate *tls.Certificate
	// Hostname is the HOSTNAME of every message: the host of the server's public URL, the
	// name the receiver knows the installation by.
	Hostname string
	// Timeout bounds one delivery (connect, send, confirmation); zero means 30 s.
	Timeout time.Duration
}

// Sink sends audit events to a syslog receiver over TLS.
type Sink struct {
	cfg    Config
	dialer tls.Dialer
}

var _ siem.Sink = (*Sink)(nil)

// New returns the sink for cfg.
func New(cfg Config) (*Sink, error) {
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil || host == "" {
		return nil, fmt.Errorf("syslog receiver %q: write host:port, for example siem.example.org:6514", cfg.Addr)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	tc := &tls.Config{RootCAs: cfg.RootCAs, ServerName: host, MinVersion: tls.VersionTLS12}
	if cfg.Certificate != nil {
		tc.Certificates = []tls.Certificate{*cfg.Certificate}
	}
	return &Sink{cfg: cfg, dialer: tls.Dialer{NetDialer: &net.Dialer{Timeout: cfg.Timeout}, Config: tc}}, nil
}

// Name is the sink's name in the cursors.
func (*Sink) Name() string { return siem.SinkSyslog }

// Send writes the events on one TLS connection and then closes its sending side. Syslog
// has no acknowledgement, so the receiver's own close, after it read everything to the
// end, is taken as its receipt: until then the events count as not delivered and are
// sent again.
func (s *Sink) Send(ctx context.Context, _ mdm.Tenant, events []audit.Event) error {
	frames := make([][]byte, 0, len(events))
	for _, e := range events {
		m, err := Message(s.cfg.Hostname, e)
		if err != nil {
			return err
		}
		frames = append(frames, m)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	conn, err := s.dialer.DialContext(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("connect to syslog receiver %s: %w", s.cfg.Addr, err)
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return err
	}
	w := bufio.NewWriter(conn)
	for _, m := range frames {
		// RFC 5425: MSG-LEN SP SYSLOG-MSG.
		if _, err := w.WriteString(strconv.Itoa(len(m)) + " "); err != nil {
			return fmt.Errorf("send to syslog receiver %s: %w", s.cfg.Addr, err)
		}
		if _, err := w.Write(m); err != nil {
			return fmt.Errorf("send to syslog receiver %s: %w", s.cfg.Addr, err)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("send to syslog receiver %s: %w", s.cfg.Addr, err)
	}
	tc := conn.(*tls.Conn)
	if err := tc.CloseWrite(); err != nil {
		return fmt.Errorf("close the connection to syslog receiver %s: %w", s.cfg.Addr, err)
	}
	if _, err := io.Copy(io.Discard, tc); err != nil {
		return fmt.Errorf("syslog receiver %s did not confirm the end of the messages: %w", s.cfg.Addr, err)
	}
	return nil
}

// Message formats one audit event as an RFC 5424 message: the event's time, the
// hostname, "trennwand", its action as MSGID, and as MSG the event in its one JSON shape
// (the shape of the audit export), from which its hash can be recomputed.
func Message(hostname string, e audit.Event) ([]byte, error) {
	body, err := e.MarshalJSON()
	if err != nil {
		return nil, err
	}
	m := &rfc5424.SyslogMessage{}
	m.SetPriority(priority)
	m.SetVersion(1)
	m.SetTimestamp(e.At.UTC().Format(time.RFC3339Nano))
	if hostname != "" {
		m.SetHostname(hostname)
	}
	m.SetAppname(appName)
	if len(e.Action) <= maxMsgID {
		m.SetMsgID(string(e.Action))
	}
	m.SetMessage(string(body))
	out, err := m.String()
	if err != nil {
		return nil, fmt.Errorf("audit event %d as syslog message: %w", e.Seq, err)
	}
	return []byte(out), nil
}
