package pki

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/smallstep/certificates/authority/provisioner"
	"github.com/smallstep/pkcs7"
	"github.com/smallstep/scep"
	scepx509 "github.com/smallstep/scep/x509util"
	"go.step.sm/crypto/x509util"
	"gorm.io/gorm"
)

// eachBackend runs fn on a fresh CA on every database the suite runs on.
func eachBackend(t *testing.T, fn func(t *testing.T, ca *CA)) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) { fn(t, openTestCA(t, db, Config{})) })
}

// eachDatabase runs fn on a fresh, migrated database of every backend, for tests that open
// CAs on it themselves.
func eachDatabase(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) { fn(t, newTestDB(t, backend)) })
	}
}

// newTestCA opens a CA on a fresh, migrated database of the backend.
func newTestCA(t testing.TB, backend string) *CA {
	t.Helper()
	return openTestCA(t, newTestDB(t, backend), Config{})
}

// testMasterKey is a master key made of 32 bytes of value b: b = 1 is the test
// installation's, any other value another installation's.
func testMasterKey(t testing.TB, b byte) *MasterKey {
	t.Helper()
	key, err := ParseMasterKey(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// testConfig is cfg with the test installation's name, public URL and a silent log where
// cfg leaves them empty.
func testConfig(cfg Config) Config {
	if cfg.Name == "" {
		cfg.Name = "Musterstadt"
	}
	if cfg.PublicURL == nil {
		cfg.PublicURL, _ = url.Parse("https://mdm.musterstadt.example")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return cfg
}

// openTestCA opens the test installation's CA on db, closed when the test ends.
func openTestCA(t testing.TB, db *gorm.DB, cfg Config) *CA {
	t.Helper()
	ca, err := Open(context.Background(), db, testMasterKey(t, 1), testConfig(cfg))
	if err != nil {
		t.Fatalf("open CA: %v", err)
	}
	t.Cleanup(ca.Close)
	return ca
}

// testClock is a clock a test moves by hand. It starts at the real time, because step
// stamps issued certificates with its own clock.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock { return &testClock{now: time.Now()} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// mustChallenge makes a SCEP challenge for the enrolment.
func mustChallenge(t testing.TB, ca *CA, id Identity) string {
	t.Helper()
	ch, err := ca.NewChallenge(context.Background(), id)
	if err != nil {
		t.Fatalf("NewChallenge(%v): %v", id, err)
	}
	return ch.Secret
}

// storedCertificates counts the rows in pki_certificates.
func storedCertificates(t testing.TB, ca *CA) int64 {
	t.Helper()
	var n int64
	if err := ca.db.Model(&certificateRow{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// scepDevice is a device enrolling over SCEP with a client library the project did not
// write (github.com/smallstep/scep).
type scepDevice struct {
	t      testing.TB
	server *httptest.Server
	key    *rsa.PrivateKey
	self   *x509.Certificate // the self-signed certificate SCEP clients sign requests with
}

func newSCEPDevice(t testing.TB, ca *CA, bits int) *scepDevice {
	t.Helper()
	srv := httptest.NewServer(ca.SCEPHandler())
	t.Cleanup(srv.Close)
	key, self := newSelfSigned(t, bits, "scep-client")
	return &scepDevice{t: t, server: srv, key: key, self: self}
}

// newSelfSigned makes an RSA key and a self-signed certificate for it.
func newSelfSigned(t testing.TB, bits int, cn string) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	self, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, self
}

// do sends a request to path?rawQuery (a GET without body, else a POST) and returns the
// status and the body.
func (d *scepDevice) do(path, rawQuery string, body []byte) (int, []byte) {
	d.t.Helper()
	var resp *http.Response
	var err error
	if body == nil {
		resp, err = http.Get(d.server.URL + path + "?" + rawQuery)
	} else {
		resp, err = http.Post(d.server.URL+path+"?"+rawQuery, "application/x-pki-message", bytes.NewReader(body))
	}
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		d.t.Fatal(err)
	}
	return resp.StatusCode, out
}

func (d *scepDevice) get(query string) (int, []byte) {
	d.t.Helper()
	return d.do("/scep/devices", query, nil)
}

// caCerts asks for the CA's certificates as a SCEP client does first.
func (d *scepDevice) caCerts() []*x509.Certificate {
	d.t.Helper()
	_, body := d.get("operation=GetCACert")
	certs, err := scep.CACerts(body)
	if err != nil {
		d.t.Fatalf("GetCACert: %v", err)
	}
	return certs
}

// request builds a PKCSReq with the challenge, encrypted for the CA's RA. It asks for a
// name and a DNS SAN of its own, which the CA must ignore.
func (d *scepDevice) request(challenge string) *scep.PKIMessage {
	d.t.Helper()
	return d.message(challenge, scep.PKCSReq, scep.EnciphermentCertsSelector().SelectCerts(d.caCerts()))
}

// message builds a SCEP message of any type carrying a CSR, encrypted for recipients.
func (d *scepDevice) message(challenge string, typ scep.MessageType, recipients []*x509.Certificate) *scep.PKIMessage {
	d.t.Helper()
	csrDER, err := scepx509.CreateCertificateRequest(rand.Reader, &scepx509.CertificateRequest{
		CertificateRequest: x509.CertificateRequest{Subject: pkix.Name{CommonName: "asked-for-by-the-device"}, DNSNames: []string{"phone.example"}},
		ChallengePassword:  challenge,
	}, d.key)
	if err != nil {
		d.t.Fatal(err)
	}
	csr, err := x509.ParseCertificateRequest(csrDER)
	if err != nil {
		d.t.Fatal(err)
	}
	pkcs7.ContentEncryptionAlgorithm = pkcs7.EncryptionAlgorithmAES128CBC
	msg, err := scep.NewCSRRequest(csr, &scep.PKIMessage{MessageType: typ,
		Recipients: recipients, SignerKey: d.key, SignerCert: d.self})
	if err != nil {
		d.t.Fatal(err)
	}
	return msg
}

// getQuery is the query of a GET PKIOperation as a careful client writes it.
func getQuery(raw []byte) string {
	return "operation=PKIOperation&message=" + url.QueryEscape(base64.StdEncoding.EncodeToString(raw))
}

// send posts (or, with viaGET, gets) a PKIOperation and returns the HTTP status and the
// parsed reply, if any.
func (d *scepDevice) send(raw []byte, viaGET bool) (int, *scep.PKIMessage) {
	d.t.Helper()
	if viaGET {
		return d.reply(d.get(getQuery(raw)))
	}
	return d.reply(d.do("/scep/devices", "operation=PKIOperation", raw))
}

// reply parses the CA's answer to a PKIOperation; nil when the status is not 200.
func (d *scepDevice) reply(status int, body []byte) (int, *scep.PKIMessage) {
	d.t.Helper()
	if status != http.StatusOK {
		return status, nil
	}
	rep, err := scep.ParsePKIMessage(body)
	if err != nil {
		d.t.Fatalf("reply is not a SCEP message: %v", err)
	}
	if rep.MessageType != scep.CertRep {
		d.t.Fatalf("reply has message type %q, want CertRep", string(rep.MessageType))
	}
	return status, rep
}

// issued returns the certificate in a reply, or nil when the CA answered with a SCEP
// failure.
func (d *scepDevice) issued(rep *scep.PKIMessage) *x509.Certificate {
	d.t.Helper()
	if rep.PKIStatus != scep.SUCCESS {
		return nil
	}
	if err := rep.DecryptPKIEnvelope(d.self, d.key); err != nil {
		d.t.Fatal(err)
	}
	return rep.CertRepMessage.Certificate
}

// mustEnrol does a whole enrolment by POST with the challenge and returns the issued
// certificate; it fails the test when the CA refuses.
func (d *scepDevice) mustEnrol(challenge string) *x509.Certificate {
	d.t.Helper()
	status, rep := d.send(d.request(challenge).Raw, false)
	if status != http.StatusOK {
		d.t.Fatalf("PKIOperation: HTTP %d", status)
	}
	cert := d.issued(rep)
	if cert == nil {
		d.t.Fatalf("the CA refused a good enrolment: %s", string(rep.FailInfo))
	}
	return cert
}

// issueDevice issues a device certificate for the enrolment straight from step's authority,
// with the template and validity SCEP issues with, but without SCEP around it: no envelope,
// no challenge. Tests that need many certificates and the bare-signing benchmark use it.
func issueDevice(ca *CA, csr *x509.CertificateRequest, id Identity) (*x509.Certificate, error) {
	data := x509util.CreateTemplateData(csr.Subject.CommonName, csr.DNSNames)
	data.SetCertificateRequest(csr)
	data.SetWebhook("challenge", map[string]any{"cn": id.EnrolmentID, "org": id.TenantID, "uri": id.URI(), "purpose": string(PurposeDevice)})
	now := time.Now()
	chain, err := ca.auth.SignWithContext(context.Background(), csr, provisioner.SignOptions{},
		templateOption{x509util.WithTemplate(ca.deviceTemplate(), data)},
		provisioner.CertificateModifierFunc(func(c *x509.Certificate, _ provisioner.SignOptions) error {
			c.NotBefore, c.NotAfter = now.Add(-time.Minute), now.Add(ca.cfg.DeviceValidity)
			return nil
		}))
	if err != nil {
		return nil, err
	}
	return chain[0], nil
}

// signDevice is issueDevice for tests, which fail when no certificate is issued.
func signDevice(t testing.TB, ca *CA, csr *x509.CertificateRequest, id Identity) *x509.Certificate {
	t.Helper()
	cert, err := issueDevice(ca, csr, id)
	if err != nil {
		t.Fatalf("sign device certificate: %v", err)
	}
	return cert
}

// newDeviceCSR makes a device's RSA key and its certificate request, asking for a name of
// its own as devices do.
func newDeviceCSR(t testing.TB) *x509.CertificateRequest {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: "asked-for-by-the-device"}, DNSNames: []string{"phone.example"}}, key)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		t.Fatal(err)
	}
	return csr
}
