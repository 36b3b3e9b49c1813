package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"
	"github.com/smallstep/scep"
	scepx509 "github.com/smallstep/scep/x509util"
)

// dirFiles lists the names in dir.
func dirFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestABackupRestoresIntoAnEmptyDataDirectoryAndEnrolsDevices(t *testing.T) {
	s := newSite(t, "sqlite")
	s.platformsSetUp(t, "default")
	s.run(t, "invite", "create", "--tenant", "default", "--email", "anna@musterstadt.example", "--qr", filepath.Join(t.TempDir(), "qr.png")).wantCode(t, 0)
	backup := filepath.Join(t.TempDir(), "trennwand.age")
	s.run(t, "backup", "--out", backup).wantCode(t, 0)
	raw, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("SQLite format 3")) || bytes.Contains(raw, []byte("anna@musterstadt")) {
		t.Fatal("the backup is readable without the key")
	}
	s.run(t, "backup", "--out", backup).wantCode(t, exitFailed) // never overwrites

	restored := filepath.Join(t.TempDir(), "restored")
	restore := func(dir string) result {
		return trennwand(t, "restore", "--data", dir, "--in", backup)
	}
	// Without the master key: refused, nothing written.
	restore(restored).wantCode(t, exitUsage)
	if files := dirFiles(t, restored); len(files) != 0 {
		t.Fatalf("a refused restore left %v", files)
	}
	// With another installation's key: refused, nothing but the key file.
	other := filepath.Join(t.TempDir(), "other")
	copyFile(t, filepath.Join(newSite(t, "sqlite").data, "master.key"), filepath.Join(other, "master.key"))
	restore(other).wantCode(t, exitFailed)
	if files := dirFiles(t, other); len(files) != 1 {
		t.Fatalf("a restore with the wrong key left %v", files)
	}
	// A damaged backup: refused, nothing written.
	damaged := filepath.Join(t.TempDir(), "damaged.age")
	raw[len(raw)-10] ^= 0xff
	if err := os.WriteFile(damaged, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join(s.data, "master.key"), filepath.Join(restored, "master.key"))
	trennwand(t, "restore", "--data", restored, "--in", damaged).wantCode(t, exitFailed)
	if files := dirFiles(t, restored); len(files) != 1 {
		t.Fatalf("a damaged backup left %v", files)
	}

	restore(restored).wantCode(t, 0)
	restore(restored).wantCode(t, exitUsage) // the directory is not empty any more

	// The restored installation serves, knows its invitation and its CA enrols a device.
	srv := startServe(t, "--data", restored)
	srv.waitServing(t)
	r := trennwand(t, "pki", "challenge", "--tenant", "default", "--json", "--data", restored)
	r.wantCode(t, 0)
	var ch struct {
		Challenge string `json:"challenge"`
	}
	r.decode(t, &ch)
	cert := scepEnrol(t, srv.url("/scep/devices"), ch.Challenge)
	var caPEM []byte
	if status, body := get(t, srv.url("/pki/ca.pem")); status == http.StatusOK {
		caPEM = []byte(body)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		t.Fatal("no CA certificate at /pki/ca.pem")
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		Intermediates: intermediatesFrom(t, srv)}); err != nil {
		t.Fatalf("the device certificate does not chain to the restored CA: %v", err)
	}
	srv.stop(t)
}

// intermediatesFrom returns the CA certificates the server hands SCEP clients.
func intermediatesFrom(t *testing.T, srv *server) *x509.CertPool {
	t.Helper()
	pool := x509.NewCertPool()
	_, body := getBytes(t, srv.url("/scep/devices?operation=GetCACert"))
	certs, err := scep.CACerts(body)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool
}

func getBytes(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := insecureClient.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// scepEnrol enrols a new device key at the SCEP URL with the challenge and returns its
// certificate.
func scepEnrol(t *testing.T, scepURL, challenge string) *x509.Certificate {
	t.Helper()
	_, body := getBytes(t, scepURL+"?operation=GetCACert")
	caCerts, err := scep.CACerts(body)
	if err != nil {
		t.Fatal(err)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "device"},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour)}
	selfDER, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	self, _ := x509.ParseCertificate(selfDER)
	csrDER, err := scepx509.CreateCertificateRequest(rand.Reader, &scepx509.CertificateRequest{
		CertificateRequest: x509.CertificateRequest{Subject: pkix.Name{CommonName: "device"}}, ChallengePassword: challenge}, key)
	if err != nil {
		t.Fatal(err)
	}
	csr, _ := x509.ParseCertificateRequest(csrDER)
	pkcs7.ContentEncryptionAlgorithm = pkcs7.EncryptionAlgorithmAES128CBC
	msg, err := scep.NewCSRRequest(csr, &scep.PKIMessage{MessageType: scep.PKCSReq,
		Recipients: scep.EnciphermentCertsSelector().SelectCerts(caCerts), SignerKey: key, SignerCert: self})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := insecureClient.Post(scepURL+"?operation=PKIOperation", "application/x-pki-message", bytes.NewReader(msg.Raw))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("SCEP: HTTP %d %s", resp.StatusCode, reply)
	}
	rep, err := scep.ParsePKIMessage(reply)
	if err != nil || rep.PKIStatus != scep.SUCCESS {
		t.Fatalf("SCEP reply: %v %v", err, rep)
	}
	if err := rep.DecryptPKIEnvelope(self, key); err != nil {
		t.Fatal(err)
	}
	return rep.CertRepMessage.Certificate
}
