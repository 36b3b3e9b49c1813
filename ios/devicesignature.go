package ios

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // devices of Apple's old device CA sign with SHA-1
	"crypto/subtle"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"

	"github.com/smallstep/pkcs7"
)

// verifyDeviceSignature checks the device's CMS signature over the content and that the
// signer's certificate is a device of anchors. The pkcs7 library checks the content's
// digest and the signature; a SHA-1 RSA signature, which Go's x509 refuses, is checked
// again with crypto/rsa (see checkSignedBy for why the old algorithm is accepted).
func verifyDeviceSignature(p7 *pkcs7.PKCS7, anchors *DeviceAnchors) error {
	signer := p7.GetOnlySigner()
	if signer == nil {
		return errors.New("not signed by exactly one device")
	}
	if len(p7.Content) == 0 {
		return errors.New("signed without content")
	}
	if err := p7.Verify(); err != nil {
		var insecure x509.InsecureAlgorithmError
		if !errors.As(err, &insecure) || x509.SignatureAlgorithm(insecure) != x509.SHA1WithRSA {
			return fmt.Errorf("the signature: %w", err)
		}
		if err := verifySHA1Signature(p7, signer); err != nil {
			return fmt.Errorf("the signature: %w", err)
		}
	}
	if _, err := anchors.Issuer(signer); err != nil {
		return err
	}
	return nil
}

// signedAttribute is one authenticated attribute of a SignerInfo, as CMS encodes it.
type signedAttribute struct {
	Type  asn1.ObjectIdentifier
	Value asn1.RawValue `asn1:"set"`
}

// verifySHA1Signature checks the one signer's SHA-1 RSA signature: over the DER set of
// its authenticated attributes, whose message digest must be the content's SHA-1, or over
// the content when it has none.
func verifySHA1Signature(p7 *pkcs7.PKCS7, signer *x509.Certificate) error {
	pub, ok := signer.PublicKey.(*rsa.PublicKey)
	if !ok {
		return errors.New("a SHA-1 RSA signature from a key that is not RSA")
	}
	si := p7.Signers[0]
	signed := p7.Content
	if len(si.AuthenticatedAttributes) > 0 {
		var digest []byte
		if err := p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeMessageDigest, &digest); err != nil {
			return fmt.Errorf("the message digest: %w", err)
		}
		sum := sha1.Sum(p7.Content) //nolint:gosec // see above
		if subtle.ConstantTimeCompare(digest, sum[:]) != 1 {
			return errors.New("the content does not match its message digest")
		}
		attrs := make([]signedAttribute, len(si.AuthenticatedAttributes))
		for i, a := range si.AuthenticatedAttributes {
			attrs[i] = signedAttribute{Type: a.Type, Value: a.Value}
		}
		set, err := asn1.Marshal(struct {
			A []signedAttribute `asn1:"set"`
		}{A: attrs})
		if err != nil {
			return fmt.Errorf("the signed attributes: %w", err)
		}
		// The signature is over the SET OF the attributes, without the wrapping SEQUENCE.
		var outer asn1.RawValue
		if _, err := asn1.Unmarshal(set, &outer); err != nil {
			return fmt.Errorf("the signed attributes: %w", err)
		}
		signed = outer.Bytes
	}
	sum := sha1.Sum(signed) //nolint:gosec // see above
	return rsa.VerifyPKCS1v15(pub, crypto.SHA1, sum[:], si.EncryptedDigest)
}
