package phonesim

import (
	"cmp"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net/http"
	"sync"
	"time"

	"github.com/micromdm/nanomdm/test/protocol"
	"github.com/micromdm/plist"
	"github.com/smallstep/pkcs7"
	"github.com/smallstep/scep"
	scepx509 "github.com/smallstep/scep/x509util"

	"github.com/trennwand/trennwand/ios/depfake"
)

// profile is what the phone takes from its enrolment profile.
type profile struct {
	scepURL, challenge        string
	topic, serverURL, checkIn string
	// mode is the MDM payload's EnrollmentMode: BYOD for User Enrolment, ADDE for
	// account-driven Device Enrollment.
	mode string
}

// payload is one payload of a configuration profile, with the keys the phone reads.
type payload struct {
	PayloadType    string
	PayloadContent any
	Topic          string
	ServerURL      string
	CheckInURL     string
	EnrollmentMode string
}

// install reads the signed enrolment profile and does what installing it does: get the
// identity certificate over SCEP and set up the MDM client.
func (p *Phone) install(ctx context.Context, signed []byte) error {
	pr, err := readProfile(signed)
	if err != nil {
		return err
	}
	// A phone installs only the profile of the enrolment it started from the discovery
	// entry it chose.
	if want := p.enrollmentMode(); pr.mode != want {
		return fmt.Errorf("enrolment profile for EnrollmentMode %q, but the phone enrols as %s", pr.mode, want)
	}
	if err := p.enrolCertificate(ctx, pr); err != nil {
		return err
	}
	p.topic, p.serverURL, p.checkInURL = pr.topic, pr.serverURL, pr.checkIn
	p.transport = protocol.NewTransport(protocol.WithSignMessage(), protocol.WithIdentityProvider(p.identity.provide),
		protocol.WithMDMURLs(pr.serverURL, pr.checkIn), protocol.WithClient(bearerDoer{p}))
	return nil
}

func readProfile(signed []byte) (profile, error) {
	p7, err := guard(func() (*pkcs7.PKCS7, error) { return pkcs7.Parse(signed) })
	if err != nil {
		return profile{}, fmt.Errorf("enrolment profile is not signed data: %w", err)
	}
	var top struct{ PayloadContent []payload }
	if err := plist.Unmarshal(p7.Content, &top); err != nil {
		return profile{}, fmt.Errorf("enrolment profile: %w", err)
	}
	var pr profile
	for _, pl := range top.PayloadContent {
		switch pl.PayloadType {
		case "com.apple.security.scep":
			content, _ := pl.PayloadContent.(map[string]any)
			pr.scepURL, _ = content["URL"].(string)
			pr.challenge, _ = content["Challenge"].(string)
		case "com.apple.mdm":
			pr.topic, pr.serverURL, pr.checkIn, pr.mode = pl.Topic, pl.ServerURL, pl.CheckInURL, pl.EnrollmentMode
		}
	}
	if pr.scepURL == "" || pr.challenge == "" || pr.serverURL == "" || pr.topic == "" {
		return profile{}, fmt.Errorf("enrolment profile lacks the SCEP or MDM payload")
	}
	if pr.checkIn == "" {
		pr.checkIn = pr.serverURL
	}
	return pr, nil
}

// identity is the phone's identity certificate and key.
type identity struct {
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

func (id identity) provide(context.Context) (*x509.Certificate, crypto.PrivateKey, error) {
	return id.cert, id.key, nil
}

// bearerDoer sends the MDM client's requests with the phone's enrolment token; a phone
// that Automated Device Enrollment set up has none and is known by its certificate.
type bearerDoer struct{ p *Phone }

func (d bearerDoer) Do(req *http.Request) (*http.Response, error) {
	if d.p.token != "" {
		req.Header.Set("Authorization", "Bearer "+d.p.token)
	}
	return d.p.cfg.Client.Do(req)
}

// aesOnce makes the SCEP client encrypt its requests with AES rather than the library's
// default DES, as phones do; the library keeps that choice in a package variable.
var aesOnce sync.Once

// enrolCertificate gets the identity certificate from the profile's SCEP server with its
// one-time challenge.
func (p *Phone) enrolCertificate(ctx context.Context, pr profile) error {
	id, err := p.requestCertificate(ctx, pr.scepURL, pr.challenge)
	if err != nil {
		return err
	}
	p.identity = id
	return nil
}

// requestCertificate asks a SCEP server for a certificate of a new key with a challenge,
// as the phone does for its enrolment profile and for a credential.scep asset.
func (p *Phone) requestCertificate(ctx context.Context, scepURL, challenge string) (identity, error) {
	aesOnce.Do(func() { pkcs7.ContentEncryptionAlgorithm = pkcs7.EncryptionAlgorithmAES128CBC })
	key, err := p.cfg.Keys()
	if err != nil {
		return identity{}, err
	}
	self, err := selfSigned(key, "scep-client")
	if err != nil {
		return identity{}, err
	}
	caBody, _, err := p.do(ctx, http.MethodGet, scepURL+"?operation=GetCACert", "", nil, http.StatusOK)
	if err != nil {
		return identity{}, fmt.Errorf("SCEP GetCACert: %w", err)
	}
	certs, err := scep.CACerts(caBody)
	if err != nil {
		return identity{}, fmt.Errorf("SCEP GetCACert: %w", err)
	}
	csrDER, err := scepx509.CreateCertificateRequest(rand.Reader, &scepx509.CertificateRequest{
		CertificateRequest: x509.CertificateRequest{Subject: pkix.Name{CommonName: p.enrollmentID}},
		ChallengePassword:  challenge,
	}, key)
	if err != nil {
		return identity{}, err
	}
	csr, err := x509.ParseCertificateRequest(csrDER)
	if err != nil {
		return identity{}, err
	}
	msg, err := scep.NewCSRRequest(csr, &scep.PKIMessage{MessageType: scep.PKCSReq,
		Recipients: scep.EnciphermentCertsSelector().SelectCerts(certs), SignerKey: key, SignerCert: self})
	if err != nil {
		return identity{}, fmt.Errorf("SCEP request: %w", err)
	}
	body, _, err := p.do(ctx, http.MethodPost, scepURL+"?operation=PKIOperation", "application/x-pki-message", msg.Raw, http.StatusOK)
	if err != nil {
		return identity{}, fmt.Errorf("SCEP PKIOperation: %w", err)
	}
	rep, err := guard(func() (*scep.PKIMessage, error) { return scep.ParsePKIMessage(body) })
	if err != nil {
		return identity{}, fmt.Errorf("SCEP answer: %w", err)
	}
	if rep.PKIStatus != scep.SUCCESS {
		return identity{}, fmt.Errorf("SCEP answer: status %s, failure %s", rep.PKIStatus, rep.FailInfo)
	}
	if err := rep.DecryptPKIEnvelope(self, key); err != nil {
		return identity{}, fmt.Errorf("SCEP answer: %w", err)
	}
	return identity{key: key, cert: rep.CertRepMessage.Certificate}, nil
}

// guard runs a parser of the pkcs7 library, whose BER reader panics on some malformed
// input (an index out of range): that is a malformed answer like any other.
func guard[T any](parse func() (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed PKCS#7: %v", r)
		}
	}()
	return parse()
}

// deviceInfo is what a phone posts to the BaseURL and shows in its Setup Assistant: a
// plist about itself, signed with its device identity.
func (p *Phone) deviceInfo() ([]byte, error) {
	if p.info != nil {
		return p.info, nil
	}
	fields := map[string]string{"LANGUAGE": "de-DE", "PRODUCT": "iPhone17,3", "VERSION": "22F76"}
	if p.company() {
		// A company-owned phone names itself; a User Enrolment never does.
		fields["SERIAL"], fields["UDID"] = p.hw.serial, p.hw.udid
	}
	info, err := plist.Marshal(fields)
	if err != nil {
		return nil, err
	}
	key, err := p.cfg.Keys()
	if err != nil {
		return nil, err
	}
	// The phone's identity comes from the device CA of the fake Apple, as a real one's
	// comes from Apple's.
	cert, err := depfake.IssueDeviceCertificate(cmp.Or(p.hw.udid, "simulated iPhone"), key.Public())
	if err != nil {
		return nil, err
	}
	sd, err := pkcs7.NewSignedData(info)
	if err != nil {
		return nil, err
	}
	if err := sd.AddSigner(cert, key, pkcs7.SignerInfoConfig{}); err != nil {
		return nil, err
	}
	p.info, err = sd.Finish()
	return p.info, err
}

func selfSigned(key *rsa.PrivateKey, cn string) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}
