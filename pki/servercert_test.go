package pki

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"
)

// serverCertFiles returns where a test keeps the server certificate and its key.
func serverCertFiles(t *testing.T) (certPath, keyPath string) {
	dir := t.TempDir()
	return filepath.Join(dir, "server.pem"), filepath.Join(dir, "server.key")
}

func mustServerCertificate(t *testing.T, ca *CA, certPath, keyPath string, hosts []string) *x509.Certificate {
	t.Helper()
	cert, err := ca.ServerCertificate(context.Background(), certPath, keyPath, hosts)
	if err != nil {
		t.Fatalf("ServerCertificate(%v): %v", hosts, err)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	return leaf
}

// verifyServer checks that leaf is a server certificate of the CA for host at the time.
func verifyServer(t *testing.T, ca *CA, leaf *x509.Certificate, host string, at time.Time) {
	t.Helper()
	roots, inters := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(ca.Root())
	inters.AddCert(ca.Intermediate())
	_, err := leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: roots, Intermediates: inters, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	if err != nil {
		t.Errorf("does not verify for %s: %v", host, err)
	}
}

func TestServerCertificateFiles(t *testing.T) {
	eachBackend(t, func(t *testing.T, ca *CA) {
		certPath, keyPath := serverCertFiles(t)
		leaf := mustServerCertificate(t, ca, certPath, keyPath, []string{"mdm.musterstadt.example"})

		info, err := os.Stat(keyPath)
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("key file mode %o, want 600", mode)
		}
		onDisk, err := tls.LoadX509KeyPair(certPath, keyPath)
		if err != nil {
			t.Fatalf("the files do not hold a matching certificate and key: %v", err)
		}
		if !onDisk.Leaf.Equal(leaf) {
			t.Errorf("the file holds serial %v, the returned certificate is %v", onDisk.Leaf.SerialNumber, leaf.SerialNumber)
		}
		if len(onDisk.Certificate) != 2 || !slices.Equal(onDisk.Certificate[1], ca.Intermediate().Raw) {
			t.Errorf("the file holds %d certificates, want the leaf and the intermediate for TLS clients", len(onDisk.Certificate))
		}
		for _, p := range []string{certPath + ".tmp", keyPath + ".tmp"} {
			if _, err := os.Stat(p); !os.IsNotExist(err) {
				t.Errorf("temporary file %s left behind (%v)", p, err)
			}
		}
	})
}

func TestServerCertificateVerifiesForEachHost(t *testing.T) {
	hosts := []string{"mdm.musterstadt.example", "localhost", "127.0.0.1", "::1"}
	eachBackend(t, func(t *testing.T, ca *CA) {
		certPath, keyPath := serverCertFiles(t)
		leaf := mustServerCertificate(t, ca, certPath, keyPath, hosts)
		if err := leaf.CheckSignatureFrom(ca.Intermediate()); err != nil {
			t.Errorf("not issued by the intermediate: %v", err)
		}
		if !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageServerAuth) {
			t.Errorf("extended key usage %v, want serverAuth", leaf.ExtKeyUsage)
		}
		if got := leaf.NotAfter.Sub(leaf.NotBefore); got < serverCertValidity || got > serverCertValidity+2*time.Minute {
			t.Errorf("valid for %s, want %s", got, serverCertValidity)
		}
		for _, host := range hosts {
			verifyServer(t, ca, leaf, host, time.Now())
		}
	})
}

// The server asks for its certificate at every start; it gets the kept one unless that
// one is about to end, misses a host, or is not the CA's.
func TestServerCertificateIsKeptOrReissued(t *testing.T) {
	hosts := []string{"mdm.musterstadt.example", "127.0.0.1"}
	tests := []struct {
		name string
		// before prepares the files and returns the hosts to ask for and the serial the
		// files hold, if any.
		before   func(t *testing.T, ca *CA, clock *testClock, certPath, keyPath string) ([]string, *big.Int)
		wantKept bool
	}{
		{"the next start", func(t *testing.T, ca *CA, _ *testClock, certPath, keyPath string) ([]string, *big.Int) {
			return hosts, mustServerCertificate(t, ca, certPath, keyPath, hosts).SerialNumber
		}, true},
		{"a start with more than 30 days left", func(t *testing.T, ca *CA, clock *testClock, certPath, keyPath string) ([]string, *big.Int) {
			serial := mustServerCertificate(t, ca, certPath, keyPath, hosts).SerialNumber
			clock.Advance(serverCertValidity - serverCertRenewal - 24*time.Hour)
			return hosts, serial
		}, true},
		{"a start within 30 days of the end", func(t *testing.T, ca *CA, clock *testClock, certPath, keyPath string) ([]string, *big.Int) {
			serial := mustServerCertificate(t, ca, certPath, keyPath, hosts).SerialNumber
			clock.Advance(serverCertValidity - serverCertRenewal + 24*time.Hour)
			return hosts, serial
		}, false},
		{"a new host", func(t *testing.T, ca *CA, _ *testClock, certPath, keyPath string) ([]string, *big.Int) {
			serial := mustServerCertificate(t, ca, certPath, keyPath, hosts).SerialNumber
			return append(slices.Clone(hosts), "mdm.nachbardorf.example"), serial
		}, false},
		{"a self-signed certificate left in the files", func(t *testing.T, _ *CA, clock *testClock, certPath, keyPath string) ([]string, *big.Int) {
			return hosts, writeSelfSignedServerCertificate(t, certPath, keyPath, hosts, clock.Now())
		}, false},
	}
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		clock := newTestClock()
		ca := openTestCA(t, db, Config{Now: clock.Now})
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				certPath, keyPath := serverCertFiles(t)
				ask, before := tt.before(t, ca, clock, certPath, keyPath)
				leaf := mustServerCertificate(t, ca, certPath, keyPath, ask)
				if kept := leaf.SerialNumber.Cmp(before) == 0; kept != tt.wantKept {
					t.Errorf("kept the certificate: %v, want %v", kept, tt.wantKept)
				}
				for _, host := range ask {
					verifyServer(t, ca, leaf, host, clock.Now())
				}
			})
		}
	})
}

// writeSelfSignedServerCertificate leaves a self-signed certificate for the hosts, valid
// for a year, in the files, as an operator or an older version might have; it returns its
// serial.
func writeSelfSignedServerCertificate(t *testing.T, certPath, keyPath string, hosts []string, now time.Time) *big.Int {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(4711), Subject: pkix.Name{CommonName: hosts[0]},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return tmpl.SerialNumber
}

func TestServerCertificateNeedsAHost(t *testing.T) {
	ca := newTestCA(t, backendSQLite)
	certPath, keyPath := serverCertFiles(t)
	for _, hosts := range [][]string{nil, {}} {
		if _, err := ca.ServerCertificate(context.Background(), certPath, keyPath, hosts); err == nil {
			t.Errorf("ServerCertificate(%#v) issued a certificate, want an error", hosts)
		}
	}
	if _, err := os.Stat(certPath); !os.IsNotExist(err) {
		t.Errorf("a certificate file was written (%v)", err)
	}
}
