package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"time"

	"go.step.sm/crypto/x509util"
)

// Validity of the CA's own certificates. The root outlives any phone; the intermediate is
// renewed under the same root long before it ends; the RA only decrypts SCEP requests.
const (
	rootValidity         = 20 * 365 * 24 * time.Hour
	intermediateValidity = 10 * 365 * 24 * time.Hour
	raValidity           = 5 * 365 * 24 * time.Hour
)

// material is the CA's key material: the root, the issuing intermediate (both ECDSA P-256)
// and the SCEP registration authority's RSA key, which SCEP needs to decrypt requests
// whatever the issuing key is.
type material struct {
	root, intermediate, ra          *x509.Certificate
	rootKey, intermediateKey, raKey crypto.Signer
	// roots and intermediates hold the root and the intermediate for verifying what the CA
	// issued; made once, since devices are verified on every request.
	roots, intermediates *x509.CertPool
}

// pools fills the verification pools from the certificates.
func (m *material) pools() *material {
	m.roots, m.intermediates = x509.NewCertPool(), x509.NewCertPool()
	m.roots.AddCert(m.root)
	m.intermediates.AddCert(m.intermediate)
	return m
}

// newMaterial makes the CA's keys and certificates for an installation named name.
func newMaterial(name string, now time.Time) (*material, error) {
	rootKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	intermediateKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	raKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	m := &material{rootKey: rootKey, intermediateKey: intermediateKey, raKey: raKey}
	if m.root, err = issueCA(x509util.DefaultRootTemplate, name+" Root CA", rootKey, nil, rootKey, now, rootValidity); err != nil {
		return nil, fmt.Errorf("root: %w", err)
	}
	if m.intermediate, err = issueCA(x509util.DefaultIntermediateTemplate, name+" Device CA", intermediateKey, m.root, rootKey, now, intermediateValidity); err != nil {
		return nil, fmt.Errorf("intermediate: %w", err)
	}
	if m.ra, err = issueCA(raTemplate, name+" SCEP RA", raKey, m.intermediate, intermediateKey, now, raValidity); err != nil {
		return nil, fmt.Errorf("SCEP RA: %w", err)
	}
	return m, nil
}

// raTemplate is the registration authority's certificate: it decrypts the envelopes of
// SCEP requests and signs the replies, and is no CA.
const raTemplate = `{
	"subject": {{ toJson .Subject }},
	"keyUsage": ["digitalSignature", "keyEncipherment", "dataEncipherment"]
}`

// issueCA makes a certificate for key from one of step's templates, signed by parentKey
// under parent (self-signed when parent is nil).
func issueCA(template, commonName string, key crypto.Signer, parent *x509.Certificate, parentKey crypto.Signer, now time.Time, validity time.Duration) (*x509.Certificate, error) {
	csrDER, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	if err != nil {
		return nil, err
	}
	csr, err := x509.ParseCertificateRequest(csrDER)
	if err != nil {
		return nil, err
	}
	data := x509util.CreateTemplateData(commonName, nil)
	data.SetSubject(x509util.Subject{CommonName: commonName, Organization: []string{"trennwand"}})
	cert, err := x509util.NewCertificate(csr, x509util.WithTemplate(template, data))
	if err != nil {
		return nil, err
	}
	tmpl := cert.GetCertificate()
	tmpl.NotBefore = now.Add(-time.Minute)
	tmpl.NotAfter = now.Add(validity)
	if parent == nil {
		parent = tmpl
	}
	return x509util.CreateCertificate(tmpl, parent, key.Public(), parentKey)
}
