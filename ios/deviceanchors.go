package ios

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // Apple's device CAs sign with SHA-1; see checkSignedBy
	"crypto/x509"
	_ "embed"
	"encoding/pem"
	"errors"
	"fmt"
)

// appleDeviceCA is Apple's public chain behind the identity certificates of iPhones and
// iPads, as Apple publishes it (https://www.apple.com/certificateauthority/): "Apple
// iPhone Device CA", issued by "Apple iPhone Certification Authority", issued by "Apple
// Root CA". A device in its Setup Assistant signs its device information with the key of
// a certificate from the first.
//
//go:embed apple_device_ca.pem
var appleDeviceCA []byte

// AppleDeviceCAPEM returns Apple's chain of the device identity CA (PEM), which the
// devices' signatures are checked against unless the operator names another.
func AppleDeviceCAPEM() []byte { return bytes.Clone(appleDeviceCA) }

// DeviceAnchors are the certificate authorities whose devices are believed when they
// sign their device information: the issuing CAs (in Apple's chain the "Apple iPhone
// Device CA") and the chain above them up to a self-signed root.
type DeviceAnchors struct {
	// issuers are the anchors no other anchor names as its issuer: the CAs that issue
	// the devices' certificates. A certificate issued by a CA higher up is refused.
	issuers []*x509.Certificate
}

// ParseDeviceAnchors reads a PEM file of the device identity CA with its chain and checks
// it: every certificate is a CA, every one but a self-signed root is signed by another of
// the file, and each root signed itself. A file that breaks any of it is refused, so a
// typing mistake in the setting never trusts less or more than it says.
func ParseDeviceAnchors(pemBytes []byte) (*DeviceAnchors, error) {
	var certs []*x509.Certificate
	for rest := pemBytes; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("device CA certificate %d: %w", len(certs)+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("the device CA file holds no PEM certificate")
	}
	issues := map[int]bool{} // anchors that issued another anchor
	roots := 0
	for i, c := range certs {
		if !isCA(c) {
			return nil, fmt.Errorf("device CA certificate %q is not a certificate authority", c.Subject.CommonName)
		}
		if bytes.Equal(c.RawIssuer, c.RawSubject) {
			if err := checkSignedBy(c, c); err != nil {
				return nil, fmt.Errorf("device CA root %q: %w", c.Subject.CommonName, err)
			}
			roots++
			continue
		}
		parent := -1
		for j, p := range certs {
			if j != i && checkSignedBy(c, p) == nil {
				parent = j
				break
			}
		}
		if parent < 0 {
			return nil, fmt.Errorf("device CA certificate %q: its issuer %q is not in the file, or did not sign it", c.Subject.CommonName, c.Issuer.CommonName)
		}
		issues[parent] = true
	}
	if roots == 0 {
		return nil, errors.New("the device CA file holds no self-signed root")
	}
	a := &DeviceAnchors{}
	for i, c := range certs {
		if !issues[i] {
			a.issuers = append(a.issuers, c)
		}
	}
	return a, nil
}

// AppleDeviceAnchors are Apple's device identity CA and its chain.
func AppleDeviceAnchors() (*DeviceAnchors, error) { return ParseDeviceAnchors(appleDeviceCA) }

// Issuer returns the issuing CA that signed the device certificate; an error when none of
// the anchors did.
func (a *DeviceAnchors) Issuer(device *x509.Certificate) (*x509.Certificate, error) {
	if a == nil {
		return nil, errors.New("no device CA is trusted")
	}
	if isCA(device) {
		return nil, errors.New("the signer is a certificate authority, not a device")
	}
	for _, ca := range a.issuers {
		if checkSignedBy(device, ca) == nil {
			return ca, nil
		}
	}
	return nil, fmt.Errorf("the signer %q is not a device of a trusted device CA", device.Subject.CommonName)
}

func isCA(c *x509.Certificate) bool {
	return c.BasicConstraintsValid && c.IsCA && (c.KeyUsage == 0 || c.KeyUsage&x509.KeyUsageCertSign != 0)
}

// checkSignedBy checks that parent issued child: the names link and parent's key made
// child's signature. Validity dates are not checked, on purpose: Apple's "Apple iPhone
// Device CA" and "Apple iPhone Certification Authority" expired (2014, 2022) and still
// issue the identities of every iPhone, and Apple asks servers to ignore the validity of
// device certificates from this CA. The same age explains SHA-1 with RSA-1024: Go's
// x509 refuses SHA-1 in certificate chains (CheckSignatureFrom, Verify), so a SHA-1
// signature is checked with crypto/rsa over the certificate's signed part; every other
// algorithm by crypto/x509.
func checkSignedBy(child, parent *x509.Certificate) error {
	if !bytes.Equal(child.RawIssuer, parent.RawSubject) {
		return errors.New("the issuer's name does not match")
	}
	if child != parent && !isCA(parent) {
		return fmt.Errorf("%q is not a certificate authority", parent.Subject.CommonName)
	}
	if child.SignatureAlgorithm != x509.SHA1WithRSA {
		return parent.CheckSignature(child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature)
	}
	pub, ok := parent.PublicKey.(*rsa.PublicKey)
	if !ok {
		return errors.New("a SHA-1 RSA signature from a key that is not RSA")
	}
	sum := sha1.Sum(child.RawTBSCertificate) //nolint:gosec // see above
	return rsa.VerifyPKCS1v15(pub, crypto.SHA1, sum[:], child.Signature)
}
