package depfake

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	_ "embed"
	"fmt"
	"math/big"
	"sync"
	"time"
)

// The fake's device CA plays Apple's "Apple iPhone Device CA": it issues the identity
// certificates that simulated devices sign their device information with in the Setup
// Assistant. Its key is public (it is in this repository), so a server trusts it only in
// demo mode and in tests; in production the devices' signatures are checked against
// Apple's own chain.
var (
	//go:embed device_ca.pem
	deviceCACert []byte
	//go:embed device_ca.key
	deviceCAKey []byte
)

// DeviceCAPEM returns the certificate (PEM) of the fake's device CA, which a server in
// demo mode or under test trusts as the issuer of devices.
func DeviceCAPEM() []byte { return bytes.Clone(deviceCACert) }

var deviceCA = sync.OnceValues(func() (tls.Certificate, error) {
	ca, err := tls.X509KeyPair(deviceCACert, deviceCAKey)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("the fake's device CA: %w", err)
	}
	ca.Leaf, err = x509.ParseCertificate(ca.Certificate[0])
	return ca, err
})

// IssueDeviceCertificate issues the identity certificate of a simulated device with the
// public key and the device's UDID (or any name) as its common name, as Apple's device CA
// does for a real one.
func IssueDeviceCertificate(name string, pub crypto.PublicKey) (*x509.Certificate, error) {
	ca, err := deviceCA()
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: name},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Leaf, pub, ca.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("issue a device certificate: %w", err)
	}
	return x509.ParseCertificate(der)
}
