// Package webhook is the SIEM feed's HTTPS sink: the audit events of a tenant as one JSON
// body per request, signed with HMAC-SHA256 under a secret the receiver shares.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/siem"
)

// The headers of a request: when it was signed (Unix seconds) and the signature,
// "v1=" and the hex HMAC-SHA256 of the timestamp, a dot and the body.
const (
	TimestampHeader = "X-Trennwand-Timestamp"
	SignatureHeader = "X-Trennwand-Signature"
	signaturePrefix = "v1="
)

// Body is what a request carries: the tenant's name and its events in the order of its
// chain, each in the one JSON shape of the audit export.
type Body struct {
	Tenant string        `json:"tenant"`
	Events []audit.Event `json:"events"`
}

// Config says where the receiver is, how to trust it and what to sign with.
type Config struct {
	// URL is the receiver's https:// address.
	URL string
	// RootCAs are the CAs the receiver's certificate must come from; nil means the
	// system's.
	RootCAs *x509.CertPool
	// Secret signs every body; at least siem.MinWebhookSecret bytes.
	Secret []byte
	// Timeout bounds one request; zero means 30 s.
	Timeout time.Duration
	// Now is the clock of the timestamp; nil means time.Now.
	Now func() time.Time
}

// Sink posts audit events to an HTTPS receiver.
type Sink struct {
	cfg    Config
	client *http.Client
}

var _ siem.Sink = (*Sink)(nil)

// New returns the sink for cfg.
func New(cfg Config) (*Sink, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("webhook %q: write the receiver's https:// address (without user or password)", cfg.URL)
	}
	if len(cfg.Secret) < siem.MinWebhookSecret {
		return nil, fmt.Errorf("webhook: the signing secret must have at least %d bytes", siem.MinWebhookSecret)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = &tls.Config{RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12}
	// Redirects are not followed: a signed body goes to the address configured, or nowhere.
	client := &http.Client{Transport: transport, Timeout: cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &Sink{cfg: cfg, client: client}, nil
}

// Name is the sink's name in the cursors.
func (*Sink) Name() string { return siem.SinkWebhook }

// Send posts the events in one signed request; the receiver takes them with any 2xx.
func (s *Sink) Send(ctx context.Context, t mdm.Tenant, events []audit.Event) error {
	body, err := json.Marshal(Body{Tenant: t.Name, Events: events})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	ts := strconv.FormatInt(s.cfg.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(TimestampHeader, ts)
	req.Header.Set(SignatureHeader, Sign(s.cfg.Secret, ts, body))
	res, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("post to webhook: %w", err)
	}
	defer res.Body.Close()
	reason, _ := io.ReadAll(io.LimitReader(res.Body, 200))
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("webhook answered %s: %s", res.Status, strings.TrimSpace(string(reason)))
	}
	return nil
}

// Sign returns the signature header's value for a body sent at timestamp.
func Sign(secret []byte, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(timestamp))
	mac.Write([]byte("."))
	mac.Write(body)
	return signaturePrefix + hex.EncodeToString(mac.Sum(nil))
}

// ErrSignature means a request is not signed with the secret, or its timestamp is too far
// from the receiver's clock (a replay of an old request).
var ErrSignature = errors.New("webhook signature does not verify")

// Verify checks a received request's signature as a receiver does: the signature over
// the timestamp and the body, compared in constant time, and a timestamp within
// tolerance of now.
func Verify(secret []byte, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	ts := h.Get(TimestampHeader)
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: no timestamp", ErrSignature)
	}
	if d := now.Sub(time.Unix(unix, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: timestamp %s is %s away", ErrSignature, ts, d.Round(time.Second))
	}
	if !hmac.Equal([]byte(h.Get(SignatureHeader)), []byte(Sign(secret, ts, body))) {
		return ErrSignature
	}
	return nil
}

// MaxBody bounds what Receive reads of a request: a batch of 500 events is far below it.
const MaxBody = 16 << 20

// Receive is a receiver's side of a request: it reads the body, verifies its signature
// (Verify, with a tolerance of five minutes) and decodes the events. An error wrapping
// ErrSignature should be answered with 401, any other with 400.
func Receive(r *http.Request, secret []byte, now time.Time) (Body, error) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, MaxBody))
	if err != nil {
		return Body{}, err
	}
	if err := Verify(secret, r.Header, raw, now, 5*time.Minute); err != nil {
		return Body{}, err
	}
	var b Body
	if err := json.Unmarshal(raw, &b); err != nil {
		return Body{}, fmt.Errorf("webhook body: %w", err)
	}
	return b, nil
}
