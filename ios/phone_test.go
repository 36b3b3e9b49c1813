package ios_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	apple "github.com/micromdm/nanomdm/mdm"
	"github.com/micromdm/nanomdm/test/protocol"
	"github.com/micromdm/plist"
	"github.com/smallstep/pkcs7"
	"github.com/smallstep/scep"
	scepx509 "github.com/smallstep/scep/x509util"

	"github.com/trennwand/trennwand/ios"
)

// phone is a simulated iPhone doing account-driven User Enrolment: it knows its managed
// Apple account and, once enrolled, an enrolment ID (no UDID, no serial number). Its MDM
// messages go through nanomdm's test/protocol transport, which signs each body into the
// Mdm-Signature header; the phone adds its bearer token to each request.
type phone struct {
	s       *site
	client  *http.Client
	account string

	token        string
	enrollmentID string
	key          *rsa.PrivateKey
	cert         *x509.Certificate
	transport    *protocol.Transport
	profile      *seenProfile
	// pushMagic and pushToken are what the phone tells the server in its TokenUpdate and
	// what a push to it must carry.
	pushMagic string
	pushToken []byte
}

func (s *site) newPhone(account string) *phone {
	return &phone{s: s, client: s.client(), account: account, enrollmentID: strings.ToUpper(randomHex(16)),
		pushMagic: randomHex(16), pushToken: []byte(randomHex(32))}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// discover asks the service discovery for the account's enrolment server.
func (p *phone) discover(t testing.TB) answer {
	t.Helper()
	return send(t, p.client, newRequest(t, http.MethodGet,
		p.s.url+ios.PathDiscovery+"?user-identifier="+url.QueryEscape(p.account)+"&model-family=iPhone", nil))
}

// baseURL returns the BaseURL of User Enrolment in the discovery answer.
func (p *phone) baseURL(t testing.TB) string {
	t.Helper()
	a := p.discover(t)
	var doc struct {
		Servers []struct{ Version, BaseURL string }
	}
	if a.StatusCode != http.StatusOK || json.Unmarshal(a.body, &doc) != nil || len(doc.Servers) == 0 || doc.Servers[0].Version != "mdm-byod" {
		t.Fatalf("discovery: HTTP %d %s", a.StatusCode, a.body)
	}
	return doc.Servers[0].BaseURL
}

// postEnrol posts the phone's (signed) device information to the BaseURL, with the
// phone's token when it has one.
func (p *phone) postEnrol(t testing.TB, baseURL string) answer {
	t.Helper()
	req := newRequest(t, http.MethodPost, baseURL, p.deviceInfo(t))
	req.Header.Set("Content-Type", "application/pkcs7-signature")
	if p.token != "" {
		req.Header.Set("Authorization", "Bearer "+p.token)
	}
	return send(t, p.client, req)
}

// deviceInfo is what a phone posts to the BaseURL: a plist about itself, signed with a
// throw-away key.
func (p *phone) deviceInfo(t testing.TB) []byte {
	t.Helper()
	info, err := plist.Marshal(map[string]string{"LANGUAGE": "de-DE", "PRODUCT": "iPhone17,3", "VERSION": "22F76"})
	if err != nil {
		t.Fatal(err)
	}
	key, cert := selfSigned(t, "device info")
	sd, err := pkcs7.NewSignedData(info)
	if err != nil {
		t.Fatal(err)
	}
	if err := sd.AddSigner(cert, key, pkcs7.SignerInfoConfig{}); err != nil {
		t.Fatal(err)
	}
	out, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// signIn submits the sign-in form as the phone's web view does.
func (p *phone) signIn(t testing.TB, code string) answer {
	t.Helper()
	form := url.Values{"code": {code}, "user-identifier": {p.account}}
	req := newRequest(t, http.MethodPost, p.s.url+ios.PathSignIn, []byte(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return send(t, p.client, req)
}

// takeToken reads the token from a successful sign-in's redirect.
func (p *phone) takeToken(t testing.TB, a answer) {
	t.Helper()
	if a.StatusCode != http.StatusPermanentRedirect {
		t.Fatalf("sign-in: HTTP %d, want 308: %s", a.StatusCode, a.body)
	}
	loc, err := url.Parse(a.Header.Get("Location"))
	if err != nil || loc.Scheme != "apple-remotemanagement-user-login" || loc.Host != "authentication-results" {
		t.Fatalf("sign-in redirects to %q", a.Header.Get("Location"))
	}
	p.token = loc.Query().Get("access-token")
	if len(p.token) < 22 { // 128 bits in base64
		t.Fatalf("access token %q is shorter than 128 bits", p.token)
	}
}

// enrolCertificate gets the identity certificate over SCEP with the profile's challenge,
// as the phone does when it installs the profile, with a SCEP client library the project
// did not write.
func (p *phone) enrolCertificate(t testing.TB) {
	t.Helper()
	content := p.profile.scep
	key, err := rsa.GenerateKey(rand.Reader, p.profile.keysize)
	if err != nil {
		t.Fatal(err)
	}
	_, self := selfSignedWith(t, key, "scep-client")
	caCerts := send(t, p.client, newRequest(t, http.MethodGet, content.URL+"?operation=GetCACert", nil))
	certs, err := scep.CACerts(caCerts.body)
	if err != nil {
		t.Fatalf("GetCACert: %v", err)
	}
	csrDER, err := scepx509.CreateCertificateRequest(rand.Reader, &scepx509.CertificateRequest{
		CertificateRequest: x509.CertificateRequest{Subject: pkix.Name{CommonName: p.enrollmentID}},
		ChallengePassword:  content.Challenge,
	}, key)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := x509.ParseCertificateRequest(csrDER)
	if err != nil {
		t.Fatal(err)
	}
	pkcs7.ContentEncryptionAlgorithm = pkcs7.EncryptionAlgorithmAES128CBC
	msg, err := scep.NewCSRRequest(csr, &scep.PKIMessage{MessageType: scep.PKCSReq,
		Recipients: scep.EnciphermentCertsSelector().SelectCerts(certs), SignerKey: key, SignerCert: self})
	if err != nil {
		t.Fatal(err)
	}
	req := newRequest(t, http.MethodPost, content.URL+"?operation=PKIOperation", msg.Raw)
	req.Header.Set("Content-Type", "application/x-pki-message")
	a := send(t, p.client, req)
	if a.StatusCode != http.StatusOK {
		t.Fatalf("PKIOperation: HTTP %d %s", a.StatusCode, a.body)
	}
	rep, err := scep.ParsePKIMessage(a.body)
	if err != nil || rep.PKIStatus != scep.SUCCESS {
		t.Fatalf("PKIOperation: %v, status %q %q", err, rep.PKIStatus, rep.FailInfo)
	}
	if err := rep.DecryptPKIEnvelope(self, key); err != nil {
		t.Fatal(err)
	}
	p.key, p.cert = key, rep.CertRepMessage.Certificate
	p.transport = protocol.NewTransport(protocol.WithSignMessage(), protocol.WithIdentityProvider(p.identity),
		protocol.WithMDMURLs(p.profile.mdm.ServerURL, p.profile.mdm.CheckInURL), protocol.WithClient(bearerDoer{p}))
}

func (p *phone) identity(context.Context) (*x509.Certificate, crypto.PrivateKey, error) {
	return p.cert, p.key, nil
}

// bearerDoer sends the transport's requests with the phone's current token.
type bearerDoer struct{ p *phone }

func (d bearerDoer) Do(req *http.Request) (*http.Response, error) {
	if d.p.token != "" {
		req.Header.Set("Authorization", "Bearer "+d.p.token)
	}
	return d.p.client.Do(req)
}

func (p *phone) enrollment() apple.Enrollment { return apple.Enrollment{EnrollmentID: p.enrollmentID} }

// checkIn sends a check-in message and returns the HTTP status.
func (p *phone) checkIn(t testing.TB, msg any) int {
	t.Helper()
	status, _ := p.exchange(t, p.transport.DoCheckIn, msg)
	return status
}

// exchange sends msg as a plist through do (the check-in or the command endpoint) and
// returns the HTTP status and the answer's body.
func (p *phone) exchange(t testing.TB, do func(context.Context, io.Reader) (*http.Response, error), msg any) (int, []byte) {
	t.Helper()
	body, err := plist.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := do(context.Background(), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

func (p *phone) authenticateMessage() *apple.Authenticate {
	return &apple.Authenticate{Enrollment: p.enrollment(), MessageType: apple.MessageType{MessageType: "Authenticate"}, Topic: testTopic}
}

func (p *phone) tokenUpdateMessage() *apple.TokenUpdate {
	return &apple.TokenUpdate{Enrollment: p.enrollment(), MessageType: apple.MessageType{MessageType: "TokenUpdate"},
		Push: apple.Push{Topic: testTopic, PushMagic: p.pushMagic, Token: p.pushToken}}
}

// report sends a command report and returns the status and the next command, if any.
func (p *phone) report(t testing.TB, status, uuid string) (int, *apple.Command) {
	t.Helper()
	return p.reportMessage(t, &apple.CommandResults{Enrollment: p.enrollment(), Status: status, CommandUUID: uuid})
}

// reportMessage sends a command report as the phone writes it and returns the HTTP status
// and the next command, nil when none.
func (p *phone) reportMessage(t testing.TB, msg any) (int, *apple.Command) {
	t.Helper()
	status, out := p.exchange(t, p.transport.DoReportResultsAndFetchNext, msg)
	if status != http.StatusOK || len(out) == 0 {
		return status, nil
	}
	cmd, err := apple.DecodeCommand(out)
	if err != nil {
		t.Fatalf("next command: %v", err)
	}
	return status, cmd
}

// enrolled takes a phone through the whole enrolment and returns it: discovery, sign-in
// with a fresh invitation, profile, SCEP, Authenticate and TokenUpdate.
func (s *site) enrolled(t testing.TB, name string) *phone {
	t.Helper()
	p := s.certified(t, name)
	if status := p.checkIn(t, p.authenticateMessage()); status != http.StatusOK {
		t.Fatalf("Authenticate: HTTP %d", status)
	}
	if status := p.checkIn(t, p.tokenUpdateMessage()); status != http.StatusOK {
		t.Fatalf("TokenUpdate: HTTP %d", status)
	}
	return p
}

// certified takes a phone as far as its identity certificate: it has installed the
// profile but not yet made contact with the MDM endpoints.
func (s *site) certified(t testing.TB, name string) *phone {
	t.Helper()
	account := name + "@musterstadt.example"
	code := s.invite(t, name+"@mail.musterstadt.example", account, "ios")
	p := s.newPhone(account)
	p.takeToken(t, p.signIn(t, code))
	p.profile = parseProfile(t, s, account, p.postEnrol(t, p.baseURL(t)))
	p.enrolCertificate(t)
	return p
}

// selfSigned makes an RSA key and a self-signed certificate: an identity no CA vouches for.
func selfSigned(t testing.TB, cn string) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return selfSignedWith(t, key, cn)
}

func selfSignedWith(t testing.TB, key *rsa.PrivateKey, cn string) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert
}
