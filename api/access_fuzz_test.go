package api

import (
	"testing"
)

// FuzzParseCertificatePEM feeds arbitrary bodies to the reader of the certificate a
// gateway sends. It must never panic, and what it accepts must be a certificate with a
// serial number.
func FuzzParseCertificatePEM(f *testing.F) {
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIBATAKBggqhkjOPQQDAjAAMB4XDTI2MDEwMTAwMDAwMFoX\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
	f.Add([]byte("not pem at all"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		cert, err := parseCertificatePEM(b)
		if err == nil && (cert == nil || cert.SerialNumber == nil) {
			t.Errorf("accepted %q without a certificate", b)
		}
	})
}
