package pki

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// opensslVerify checks a detached CMS signature with openssl, the way a data-protection
// officer checks an export: against the CA certificates that /pki/ca.pem serves.
func opensslVerify(t *testing.T, caPEM, content, sig []byte) error {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed: the signature cannot be checked with it (Debian: apt-get install openssl)")
	}
	dir := t.TempDir()
	for name, data := range map[string][]byte{"ca.pem": caPEM, "content": content, "content.p7s": sig} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", "content.p7s",
		"-content", "content", "-CAfile", "ca.pem", "-purpose", "any", "-out", os.DevNull)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%v: %s", err, out)
	}
	return nil
}

func TestSignerCertificateChainsToTheCAForSigningOnly(t *testing.T) {
	eachBackend(t, func(t *testing.T, ca *CA) {
		before := storedCertificates(t, ca)
		s, err := ca.NewSigner(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		cert := s.Certificate()
		roots := x509.NewCertPool()
		roots.AddCert(ca.Root())
		inter := x509.NewCertPool()
		inter.AddCert(ca.Intermediate())
		if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
			t.Fatalf("the signing certificate does not chain to the root: %v", err)
		}
		if !slices.ContainsFunc(cert.UnknownExtKeyUsage, oidDocumentSigning.Equal) || len(cert.ExtKeyUsage) != 0 || cert.IsCA {
			t.Errorf("usages: ext %v, unknown %v, CA %v; want document signing only", cert.ExtKeyUsage, cert.UnknownExtKeyUsage, cert.IsCA)
		}
		if !isP256(cert) || !cert.NotAfter.Equal(ca.Intermediate().NotAfter) {
			t.Errorf("key P-256 %v, valid until %s; want P-256 until the intermediate ends (%s)", isP256(cert), cert.NotAfter, ca.Intermediate().NotAfter)
		}
		if n := storedCertificates(t, ca); n != before+1 {
			t.Errorf("%d certificates recorded, want %d: every issued certificate is on record", n, before+1)
		}
	})
}

func TestSignaturesVerifyInProcessAndWithOpenSSL(t *testing.T) {
	ca := newTestCA(t, backendSQLite)
	s, err := ca.NewSigner(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	content := []byte(`{"files":[{"name":"events.jsonl"}]}` + "\n")
	sig, err := s.Sign(content)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ca.VerifySignature(content, sig)
	if err != nil || !signer.Equal(s.Certificate()) {
		t.Fatalf("VerifySignature: %v, signer %v", err, signer)
	}
	if err := opensslVerify(t, ca.CAPEM(), content, sig); err != nil {
		t.Fatalf("openssl cms -verify refuses the signature: %v", err)
	}
	changed := slices.Clone(content)
	changed[3] ^= 1
	if _, err := ca.VerifySignature(changed, sig); err == nil {
		t.Error("VerifySignature accepts changed content")
	}
	if err := opensslVerify(t, ca.CAPEM(), changed, sig); err == nil {
		t.Error("openssl accepts changed content")
	}
}

// Only the CA's signing certificates sign checkpoints: not a device certificate of the same
// CA, not a look-alike certificate of another CA, and only the certificate stored with the
// checkpoint.
func TestVerifyCheckpointRefusesOtherSigners(t *testing.T) {
	ca := newTestCA(t, backendSQLite)
	ctx := context.Background()
	payload := []byte(`{"type":"trennwand.audit-checkpoint.v1","seq":100}`)
	genuine, err := ca.NewSigner(ctx)
	if err != nil {
		t.Fatal(err)
	}
	other, err := ca.NewSigner(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sig, certDER, err := genuine.SignCheckpoint(payload)
	if err != nil {
		t.Fatal(err)
	}
	if err := ca.VerifyCheckpoint(payload, sig, certDER); err != nil {
		t.Fatalf("a genuine checkpoint signature: %v", err)
	}

	deviceKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	csrDER, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, deviceKey)
	csr, _ := x509.ParseCertificateRequest(csrDER)
	device := &Signer{key: deviceKey, cert: signDevice(t, ca, csr, Identity{TenantID: "t1", EnrolmentID: "e1"}),
		parents: []*x509.Certificate{ca.Intermediate()}}
	lookalike := selfSignedSigner(t, genuine.Certificate().Subject)

	cases := []struct {
		name         string
		payload, sig []byte
		certDER      []byte
		want         string
	}{
		{"changed payload", []byte(`{"type":"trennwand.audit-checkpoint.v1","seq":101}`), sig, certDER, "digest"},
		{"another signing certificate stored", payload, sig, other.Certificate().Raw, "another certificate"},
		{"device certificate of the CA", payload, mustSign(t, device, payload), device.cert.Raw, "no signing certificate"},
		{"look-alike of another CA", payload, mustSign(t, lookalike, payload), lookalike.cert.Raw, "certificate chain"},
		{"not a signature", payload, []byte("forged"), certDER, "read signature"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := ca.VerifyCheckpoint(c.payload, c.sig, c.certDER)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error about %q", err, c.want)
			}
		})
	}
}

func mustSign(t *testing.T, s *Signer, content []byte) []byte {
	t.Helper()
	sig, err := s.Sign(content)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// selfSignedSigner is a signer whose certificate claims document signing and the subject
// of a genuine one, but was made by someone without the CA's keys.
func selfSignedSigner(t *testing.T, subject pkix.Name) *Signer {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: subject, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature, UnknownExtKeyUsage: []asn1.ObjectIdentifier{oidDocumentSigning}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &Signer{key: key, cert: cert}
}
