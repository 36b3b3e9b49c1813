package pki

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
)

// authorityRows reads pki_authority.
func authorityRows(t *testing.T, db *gorm.DB) []authorityRow {
	t.Helper()
	var rows []authorityRow
	if err := db.Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	return rows
}

// wantValidity checks that cert is valid for about d from about now.
func wantValidity(t *testing.T, name string, cert *x509.Certificate, d time.Duration) {
	t.Helper()
	if got := cert.NotAfter.Sub(cert.NotBefore); got < d-time.Hour || got > d+time.Hour {
		t.Errorf("%s valid for %s, want about %s", name, got, d)
	}
	if time.Since(cert.NotBefore) > time.Hour {
		t.Errorf("%s valid from %s, want about now", name, cert.NotBefore)
	}
}

func isP256(cert *x509.Certificate) bool {
	k, ok := cert.PublicKey.(*ecdsa.PublicKey)
	return ok && k.Curve == elliptic.P256()
}

func TestFirstOpenCreatesTheCA(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		if n := len(authorityRows(t, db)); n != 0 {
			t.Fatalf("%d CA rows before the first Open", n)
		}
		ca := openTestCA(t, db, Config{})
		rows := authorityRows(t, db)
		if len(rows) != 1 {
			t.Fatalf("%d CA rows after the first Open, want 1", len(rows))
		}
		root, inter, ra := ca.Root(), ca.Intermediate(), ca.material.ra
		for _, c := range []struct {
			stored []byte
			cert   *x509.Certificate
		}{{rows[0].RootCert, root}, {rows[0].IntermediateCert, inter}, {rows[0].RaCert, ra}} {
			if !bytes.Equal(c.stored, c.cert.Raw) {
				t.Errorf("stored certificate differs from the CA's %q", c.cert.Subject.CommonName)
			}
		}

		if err := root.CheckSignatureFrom(root); err != nil || !bytes.Equal(root.RawIssuer, root.RawSubject) {
			t.Errorf("the root is not self-signed: %v", err)
		}
		if !root.IsCA || !root.BasicConstraintsValid || !isP256(root) || root.Subject.CommonName != "Musterstadt Root CA" {
			t.Errorf("root: CA %v, key %T, name %q; want a P-256 CA named after the installation", root.IsCA, root.PublicKey, root.Subject.CommonName)
		}
		wantValidity(t, "root", root, rootValidity)

		if err := inter.CheckSignatureFrom(root); err != nil {
			t.Errorf("the intermediate is not issued by the root: %v", err)
		}
		if !inter.IsCA || inter.MaxPathLen != 0 || !inter.MaxPathLenZero || !isP256(inter) {
			t.Errorf("intermediate: CA %v, MaxPathLen %d (zero %v), key %T; want a P-256 CA that issues no CAs", inter.IsCA, inter.MaxPathLen, inter.MaxPathLenZero, inter.PublicKey)
		}
		if inter.KeyUsage&x509.KeyUsageCRLSign == 0 || inter.KeyUsage&x509.KeyUsageCertSign == 0 {
			t.Errorf("intermediate key usage %b, want certSign and crlSign", inter.KeyUsage)
		}
		wantValidity(t, "intermediate", inter, intermediateValidity)

		if err := ra.CheckSignatureFrom(inter); err != nil {
			t.Errorf("the RA is not issued by the intermediate: %v", err)
		}
		if k, ok := ra.PublicKey.(*rsa.PublicKey); !ok || k.N.BitLen() < 2048 || ra.IsCA {
			t.Errorf("RA: key %T, CA %v; want RSA of at least 2048 bits, no CA", ra.PublicKey, ra.IsCA)
		}
	})
}

// A copy of the database alone reveals no CA key: the keys are sealed with the master
// key, and another master key cannot open them.
func TestCAKeysAreSealedAtRest(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		ca := openTestCA(t, db, Config{})
		row := authorityRows(t, db)[0]
		stored := bytes.Join([][]byte{row.RootCert, row.RootKey, row.IntermediateCert, row.IntermediateKey, row.RaCert, row.RaKey}, nil)
		keys := []struct {
			purpose string
			key     any
			sealed  []byte
		}{
			{"ca-root-key", ca.material.rootKey, row.RootKey},
			{"ca-intermediate-key", ca.material.intermediateKey, row.IntermediateKey},
			{"ca-ra-key", ca.material.raKey, row.RaKey},
		}
		for _, k := range keys {
			der, err := x509.MarshalPKCS8PrivateKey(k.key)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(stored, der) || bytes.Contains(stored, rawPrivateKey(t, k.key)) {
				t.Errorf("%s is stored in the clear", k.purpose)
			}
			opened, err := testMasterKey(t, 1).Open(k.purpose, k.sealed)
			if err != nil || !bytes.Equal(opened, der) {
				t.Errorf("%s does not open to the CA's key with the master key: %v", k.purpose, err)
			}
		}

		_, err := Open(context.Background(), db, testMasterKey(t, 2), testConfig(Config{}))
		if err == nil || !strings.Contains(err.Error(), "master key") {
			t.Fatalf("Open with another master key = %v, want an error about the master key", err)
		}
	})
}

// rawPrivateKey is the key in its own DER form (PKCS#1 or SEC 1), without PKCS#8 around.
func rawPrivateKey(t *testing.T, key any) []byte {
	t.Helper()
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return x509.MarshalPKCS1PrivateKey(k)
	case *ecdsa.PrivateKey:
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	t.Fatalf("unexpected key type %T", key)
	return nil
}

func TestReopenKeepsTheCA(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		first := openTestCA(t, db, Config{})
		first.Close()
		again := openTestCA(t, db, Config{Name: "Another name"})
		if !again.Root().Equal(first.Root()) || !again.Intermediate().Equal(first.Intermediate()) || !again.material.ra.Equal(first.material.ra) {
			t.Error("a second Open made a new CA")
		}
		if n := len(authorityRows(t, db)); n != 1 {
			t.Errorf("%d CA rows, want 1", n)
		}
	})
}

// Replicas starting together on an empty database agree on one CA.
func TestRacingFirstOpensAgreeOnOneCA(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		cas := make([]*CA, 4)
		errs := make([]error, len(cas))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range cas {
			wg.Go(func() {
				<-start
				cas[i], errs[i] = Open(context.Background(), db, testMasterKey(t, 1), testConfig(Config{}))
			})
		}
		close(start)
		wg.Wait()
		for _, ca := range cas {
			if ca != nil {
				t.Cleanup(ca.Close)
			}
		}
		for i, err := range errs {
			if err != nil {
				t.Fatalf("Open %d: %v", i, err)
			}
		}
		for i, ca := range cas[1:] {
			if !ca.Root().Equal(cas[0].Root()) {
				t.Errorf("Open %d has another root than Open 0", i+1)
			}
		}
		if n := len(authorityRows(t, db)); n != 1 {
			t.Errorf("%d CA rows, want 1", n)
		}
	})
}
