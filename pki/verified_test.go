package pki

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"gorm.io/gorm"
)

// A device certificate whose chain was checked once is still refused once it has expired,
// and a certificate that merely looks like one of ours (same subject, its own issuer) is
// refused although a genuine one was checked before.
func TestRememberedDeviceCertificatesAreStillCheckedForTimeAndIssuer(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		clock := newTestClock()
		ca := openTestCA(t, db, Config{Now: clock.Now, DeviceValidity: 24 * time.Hour})
		id := Identity{TenantID: "musterstadt", EnrolmentID: "e1"}
		cert := newSCEPDevice(t, ca, 2048).mustEnrol(mustChallenge(t, ca, id))
		for range 2 {
			if got, err := ca.VerifyDevice(context.Background(), cert); err != nil || got != id {
				t.Fatalf("VerifyDevice = %v, %v; want %v", got, err, id)
			}
		}

		forged := selfIssuedLike(t, cert)
		if _, err := ca.VerifyDevice(context.Background(), forged); err == nil {
			t.Error("a self-issued copy of a device certificate's names is accepted")
		}

		clock.Advance(25 * time.Hour)
		if _, err := ca.VerifyDevice(context.Background(), cert); err == nil {
			t.Error("an expired device certificate is accepted because its chain was checked before")
		}
	})
}

// selfIssuedLike makes a certificate with the names, serial and validity of cert, issued
// by a key of its own.
func selfIssuedLike(t *testing.T, cert *x509.Certificate) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: new(big.Int).Set(cert.SerialNumber), Subject: cert.Subject,
		Issuer: pkix.Name{CommonName: cert.Issuer.CommonName}, NotBefore: cert.NotBefore, NotAfter: cert.NotAfter,
		ExtKeyUsage: cert.ExtKeyUsage, URIs: cert.URIs, ExtraExtensions: cert.Extensions}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return forged
}
