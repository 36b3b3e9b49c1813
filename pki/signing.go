package pki

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/smallstep/certificates/authority/provisioner"
	"github.com/smallstep/pkcs7"
	"go.step.sm/crypto/x509util"
)

// oidDocumentSigning is the extended key usage "document signing" (RFC 9336). The CA's
// signing certificates carry it and nothing else, so that a signing certificate is no TLS
// or device certificate, and a device certificate, which chains to the same CA, is no
// signing certificate.
var oidDocumentSigning = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 36}

// signingTemplate is the X.509 template of a signing certificate.
const signingTemplate = `{
	"subject": {"commonName": {{ toJson .Subject.CommonName }}, "organization": ["trennwand"]},
	"keyUsage": ["digitalSignature"],
	"unknownExtKeyUsage": ["1.3.6.1.5.5.7.3.36"]
}`

// Signer signs the audit trail's checkpoints and the manifests of its exports with a key
// that exists only in this process's memory, certified by the CA. Every process that signs
// makes its own key and has a certificate issued for it (recorded in pki_certificates like
// every certificate of the CA); nothing of it is stored that could be stolen from the
// database or a backup. Signatures carry the signing certificate and the intermediate, so
// they can be checked later with nothing but the CA's root.
type Signer struct {
	key     *ecdsa.PrivateKey
	cert    *x509.Certificate
	parents []*x509.Certificate
}

// NewSigner makes a P-256 key and issues its signing certificate. The certificate is valid
// as long as the intermediate that issues it, so that signed exports can be checked against
// the CA for as long as the CA itself; its key ends with the process, so the long life
// gives nobody anything once the process is gone.
func (ca *CA) NewSigner(ctx context.Context) (*Signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	cn := ca.cfg.Name + " audit signing"
	chain, err := ca.issue(ctx, key, signingTemplate, x509util.CreateTemplateData(cn, nil), ca.material.intermediate.NotAfter)
	if err != nil {
		return nil, fmt.Errorf("issue signing certificate: %w", err)
	}
	return &Signer{key: key, cert: chain[0], parents: chain[1:]}, nil
}

// issue has step's authority issue a certificate for key from an X.509 template, valid
// from now until notAfter, and returns it with the intermediate.
func (ca *CA) issue(ctx context.Context, key *ecdsa.PrivateKey, template string, data x509util.TemplateData, notAfter time.Time) ([]*x509.Certificate, error) {
	csrDER, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	if err != nil {
		return nil, err
	}
	csr, err := x509.ParseCertificateRequest(csrDER)
	if err != nil {
		return nil, err
	}
	notBefore := ca.now().Add(-time.Minute)
	return ca.auth.SignWithContext(ctx, csr, provisioner.SignOptions{},
		templateOption{x509util.WithTemplate(template, data)},
		provisioner.CertificateModifierFunc(func(c *x509.Certificate, _ provisioner.SignOptions) error {
			c.NotBefore, c.NotAfter = notBefore, notAfter
			return nil
		}))
}

// Certificate returns the signing certificate.
func (s *Signer) Certificate() *x509.Certificate { return s.cert }

// Sign returns a detached CMS signature (DER) of content: SHA-256 and ECDSA, with the
// signing time, the signing certificate and the intermediate that issued it.
func (s *Signer) Sign(content []byte) ([]byte, error) {
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		return nil, err
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if err := sd.AddSignerChain(s.cert, s.key, s.parents, pkcs7.SignerInfoConfig{}); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	sd.Detach()
	return sd.Finish()
}

// SignCheckpoint signs a checkpoint of the audit trail and returns the signature and the
// certificate it was made with (audit.Signer).
func (s *Signer) SignCheckpoint(payload []byte) (sig, certDER []byte, err error) {
	sig, err = s.Sign(payload)
	return sig, s.cert.Raw, err
}

// VerifySignature checks a detached CMS signature of content: intact, made by one signing
// certificate of this CA, and that certificate valid when it signed (the signed signing
// time). It returns the signing certificate.
func (ca *CA) VerifySignature(content, sig []byte) (*x509.Certificate, error) {
	p7, err := parseSignature(sig)
	if err != nil {
		return nil, fmt.Errorf("read signature: %w", err)
	}
	if len(p7.Signers) != 1 {
		return nil, fmt.Errorf("the signature has %d signers, want one", len(p7.Signers))
	}
	signer := p7.GetOnlySigner()
	if signer == nil {
		return nil, errors.New("the signature does not carry its signer's certificate")
	}
	if !slices.ContainsFunc(signer.UnknownExtKeyUsage, oidDocumentSigning.Equal) {
		return nil, fmt.Errorf("%q is no signing certificate of this CA", signer.Subject)
	}
	p7.Content = content
	if err := p7.VerifyWithChain(ca.material.roots); err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	return signer, nil
}

// VerifyCheckpoint checks the signature of an audit checkpoint and that it was made with
// the certificate stored beside it (audit.CheckpointVerifier).
func (ca *CA) VerifyCheckpoint(payload, sig, certDER []byte) error {
	signer, err := ca.VerifySignature(payload, sig)
	if err != nil {
		return err
	}
	if !bytes.Equal(signer.Raw, certDER) {
		return errors.New("the signature was made with another certificate than the one stored with the checkpoint")
	}
	return nil
}

// parseSignature parses CMS signed data. The pkcs7 parser panics on some malformed input,
// which is a bad signature like any other.
func parseSignature(sig []byte) (p7 *pkcs7.PKCS7, err error) {
	defer func() {
		if r := recover(); r != nil {
			p7, err = nil, fmt.Errorf("malformed signature: %v", r)
		}
	}()
	return pkcs7.Parse(sig)
}
