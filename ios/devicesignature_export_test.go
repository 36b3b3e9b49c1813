package ios

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/micromdm/plist"
	"github.com/smallstep/pkcs7"

	"github.com/trennwand/trennwand/ios/depfake"
)

// deviceInfoContent is the plist a device with the serial number says of itself.
func deviceInfoContent(t testing.TB, serial string) []byte {
	t.Helper()
	content, err := plist.Marshal(map[string]string{"SERIAL": serial, "UDID": "00008120-001A2B3C4D5E6F70", "PRODUCT": "iPhone15,4", "VERSION": "22F76"})
	if err != nil {
		t.Fatal(err)
	}
	return content
}

// signDeviceInfo signs content with the certificate's key into CMS (DER); sha1 signs
// with SHA-1, as devices of Apple's old device CA may.
func signDeviceInfo(t testing.TB, content []byte, cert *x509.Certificate, key crypto.Signer, sha1 bool) []byte {
	t.Helper()
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		t.Fatal(err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if sha1 {
		sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA1)
	}
	if err := sd.AddSigner(cert, key, pkcs7.SignerInfoConfig{}); err != nil {
		t.Fatal(err)
	}
	der, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// newKey makes a P-256 key.
func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// issue makes a certificate for pub from tmpl, signed by parent's key (self-signed when
// parent is nil).
func issue(t testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) *x509.Certificate {
	t.Helper()
	tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().AddDate(1, 0, 0)
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fakeDeviceCA is the certificate of the fake Apple's device CA.
func fakeDeviceCA(t testing.TB) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode(depfake.DeviceCAPEM())
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// genuineDevice is a device identity issued by the fake Apple's device CA.
func genuineDevice(t testing.TB) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key := newKey(t)
	cert, err := depfake.IssueDeviceCertificate("00008120-001A2B3C4D5E6F70", key.Public())
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// GenuineDeviceInfo is the x-apple-aspen-deviceinfo header of a device with the serial
// number whose identity the fake Apple's device CA issued.
func GenuineDeviceInfo(t testing.TB, serial string) string {
	cert, key := genuineDevice(t)
	return base64.StdEncoding.EncodeToString(signDeviceInfo(t, deviceInfoContent(t, serial), cert, key, false))
}

// TamperedDeviceInfo is a genuine device's header whose content was changed to name the
// serial number after it was signed.
func TamperedDeviceInfo(t testing.TB, serial string) string {
	cert, key := genuineDevice(t)
	other := []byte(serial)
	other[len(other)-1] ^= 1
	der := signDeviceInfo(t, deviceInfoContent(t, string(other)), cert, key, false)
	return base64.StdEncoding.EncodeToString(bytes.Replace(der, other, []byte(serial), 1))
}

// SelfSignedDeviceInfo is a header signed by a certificate that signed itself.
func SelfSignedDeviceInfo(t testing.TB, serial string) string {
	key := newKey(t)
	cert := issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "00008120-001A2B3C4D5E6F70"},
		KeyUsage: x509.KeyUsageDigitalSignature}, nil, key.Public(), key)
	return base64.StdEncoding.EncodeToString(signDeviceInfo(t, deviceInfoContent(t, serial), cert, key, false))
}

// StrangerDeviceInfo is a header signed by a device of another CA that took the device
// CA's very name.
func StrangerDeviceInfo(t testing.TB, serial string) string {
	caKey := newKey(t)
	ca := issue(t, &x509.Certificate{RawSubject: fakeDeviceCA(t).RawSubject, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}, nil, caKey.Public(), caKey)
	key := newKey(t)
	cert := issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "00008120-001A2B3C4D5E6F70"},
		KeyUsage: x509.KeyUsageDigitalSignature}, ca, key.Public(), caKey)
	return base64.StdEncoding.EncodeToString(signDeviceInfo(t, deviceInfoContent(t, serial), cert, key, false))
}
