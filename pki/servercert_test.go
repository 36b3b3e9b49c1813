package pki

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

var certNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// certFiles returns where a test keeps the server certificate and its key.
func certFiles(t *testing.T) (certPath, keyPath string) {
	dir := t.TempDir()
	return filepath.Join(dir, "server.pem"), filepath.Join(dir, "server.key")
}

func mustServerCert(t *testing.T, certPath, keyPath string, hosts []string, now time.Time) *x509.Certificate {
	t.Helper()
	cert, err := SelfSignedServerCertificate(certPath, keyPath, hosts, now)
	if err != nil {
		t.Fatalf("SelfSignedServerCertificate(%v): %v", hosts, err)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatalf("parse certificate: %v", err)
	}
	return leaf
}

func TestSelfSignedServerCertificateFiles(t *testing.T) {
	certPath, keyPath := certFiles(t)
	leaf := mustServerCert(t, certPath, keyPath, []string{"mdm.example.org"}, certNow)

	info, err := os.Stat(keyPath)
	if err != nil {
		t.Fatalf("key file: %v", err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("key file mode = %o, want 600", mode)
	}
	onDisk, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		t.Fatalf("the files do not hold a matching certificate and key: %v", err)
	}
	if onDisk.Leaf.SerialNumber.Cmp(leaf.SerialNumber) != 0 {
		t.Errorf("file holds serial %v, returned certificate has %v", onDisk.Leaf.SerialNumber, leaf.SerialNumber)
	}
	for _, p := range []string{certPath + ".tmp", keyPath + ".tmp"} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("temporary file %s left behind (%v)", p, err)
		}
	}
}

func TestSelfSignedServerCertificateVerifiesForEachHost(t *testing.T) {
	hosts := []string{"mdm.example.org", "localhost", "127.0.0.1", "::1"}
	certPath, keyPath := certFiles(t)
	leaf := mustServerCert(t, certPath, keyPath, hosts, certNow)

	if !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageServerAuth) {
		t.Errorf("ExtKeyUsage = %v, want server authentication", leaf.ExtKeyUsage)
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	verify := func(host string) error {
		_, err := leaf.Verify(x509.VerifyOptions{
			DNSName: host, Roots: roots, CurrentTime: certNow,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		})
		return err
	}
	for _, host := range hosts {
		t.Run(host, func(t *testing.T) {
			if err := verify(host); err != nil {
				t.Errorf("does not verify for %s: %v", host, err)
			}
		})
	}
	for _, host := range []string{"other.example.org", "10.0.0.1"} {
		t.Run("not "+host, func(t *testing.T) {
			if verify(host) == nil {
				t.Errorf("verifies for %s, which was not asked for", host)
			}
		})
	}
}

func TestSelfSignedServerCertificateIsKeptOrRenewed(t *testing.T) {
	first := []string{"mdm.example.org", "127.0.0.1"}
	tests := []struct {
		name      string
		hosts     []string
		now       time.Time
		corrupt   string // "cert" or "key": that file is overwritten with garbage first
		wantRenew bool
	}{
		{name: "same hosts", hosts: first, now: certNow},
		{name: "same hosts in another order", hosts: []string{"127.0.0.1", "mdm.example.org"}, now: certNow},
		{name: "fewer hosts", hosts: first[:1], now: certNow},
		{name: "six months later", hosts: first, now: certNow.AddDate(0, 6, 0)},
		{name: "a new host name", hosts: append(slices.Clone(first), "mdm2.example.org"), now: certNow, wantRenew: true},
		{name: "a new IP address", hosts: append(slices.Clone(first), "192.0.2.7"), now: certNow, wantRenew: true},
		{name: "within 30 days of expiry", hosts: first, now: certNow.AddDate(1, 0, -29), wantRenew: true},
		{name: "expired", hosts: first, now: certNow.AddDate(2, 0, 0), wantRenew: true},
		{name: "garbled certificate file", hosts: first, now: certNow, corrupt: "cert", wantRenew: true},
		{name: "garbled key file", hosts: first, now: certNow, corrupt: "key", wantRenew: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			certPath, keyPath := certFiles(t)
			before := mustServerCert(t, certPath, keyPath, first, certNow)
			switch tt.corrupt {
			case "cert":
				writeGarbage(t, certPath)
			case "key":
				writeGarbage(t, keyPath)
			}

			after := mustServerCert(t, certPath, keyPath, tt.hosts, tt.now)
			renewed := after.SerialNumber.Cmp(before.SerialNumber) != 0
			if renewed != tt.wantRenew {
				t.Fatalf("renewed = %v, want %v", renewed, tt.wantRenew)
			}
			for _, h := range tt.hosts {
				if err := after.VerifyHostname(h); err != nil {
					t.Errorf("certificate does not name %s: %v", h, err)
				}
			}
			if !tt.now.Before(after.NotAfter.Add(-30 * 24 * time.Hour)) {
				t.Errorf("certificate expires %v, within 30 days of %v", after.NotAfter, tt.now)
			}
		})
	}
}

func writeGarbage(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("-----BEGIN GARBAGE-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestSelfSignedServerCertificateNeedsHosts(t *testing.T) {
	for name, hosts := range map[string][]string{"nil": nil, "empty": {}} {
		t.Run(name, func(t *testing.T) {
			certPath, keyPath := certFiles(t)
			if _, err := SelfSignedServerCertificate(certPath, keyPath, hosts, certNow); err == nil {
				t.Errorf("SelfSignedServerCertificate(%q) succeeded, want an error", hosts)
			}
			if _, err := os.Stat(certPath); !os.IsNotExist(err) {
				t.Errorf("a certificate file was written without hosts (%v)", err)
			}
		})
	}
}
