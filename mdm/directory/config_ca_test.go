package directory_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/directory"
)

// selfSignedCA returns a CA certificate in PEM, as a town's own CA gives it out.
func selfSignedCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Stadt Musterstadt CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// A tenant's own CA bundle is taken when it holds certificates and nothing else; a file
// with no certificate, a key, or text that is not PEM is refused with what is wrong.
func TestTheDirectorysOwnCAHoldsCertificatesOnly(t *testing.T) {
	ca := selfSignedCA(t)
	cases := []struct {
		name, pem string
		ok        bool
	}{
		{"none: the system's roots", "", true},
		{"one CA", ca, true},
		{"a bundle of two", ca + ca, true},
		{"a file without a certificate", "just some text\n", false},
		{"a private key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", false},
		{"a broken certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", false},
		{"a bundle with words between", "# Stadt Musterstadt\n" + ca + "# again\n" + ca, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			roots, err := directory.Config{CAPEM: c.pem}.Roots()
			if c.ok != (err == nil) {
				t.Fatalf("err = %v, want ok %v", err, c.ok)
			}
			if err != nil && !errors.Is(err, mdm.ErrInvalid) {
				t.Errorf("err = %v, want ErrInvalid", err)
			}
			if c.ok && (roots == nil) != (c.pem == "") {
				t.Errorf("roots %v for %q", roots, c.name)
			}
		})
	}
}
