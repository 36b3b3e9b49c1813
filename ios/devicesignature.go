package ios

import (
	"errors"
	"fmt"

	"github.com/smallstep/pkcs7"
)

// verifyDeviceSignature checks the device's CMS signature over the content and that the
// signer's certificate is a device of anchors. The pkcs7 library checks the content's
// digest and the signature with x509's CheckSignature, which takes the SHA-1 RSA
// signatures of older devices (TestDeviceInformationIsBelievedOnlyFromTrustedDevices
// holds it to that); the signer's certificate is checked against the anchors here,
// without the library's chain check, which would refuse Apple's SHA-1, expired CAs.
func verifyDeviceSignature(p7 *pkcs7.PKCS7, anchors *DeviceAnchors) error {
	signer := p7.GetOnlySigner()
	if signer == nil {
		return errors.New("not signed by exactly one device")
	}
	if len(p7.Content) == 0 {
		return errors.New("signed without content")
	}
	if err := p7.Verify(); err != nil {
		return fmt.Errorf("the signature: %w", err)
	}
	if _, err := anchors.Issuer(signer); err != nil {
		return err
	}
	return nil
}
