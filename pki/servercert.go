package pki

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/smallstep/certificates/authority/provisioner"
	"go.step.sm/crypto/x509util"
)

// Server certificates are short-lived and renewed a month before they end.
const (
	serverCertValidity = 90 * 24 * time.Hour
	serverCertRenewal  = 30 * 24 * time.Hour
)

// serverTemplate is the X.509 template of the server's TLS certificate.
const serverTemplate = `{
	"subject": {{ toJson .Subject }},
	"sans": {{ toJson .SANs }},
	"keyUsage": ["digitalSignature"],
	"extKeyUsage": ["serverAuth"]
}`

// ServerCertificate returns the server's TLS certificate kept in certPath and keyPath. It
// issues a new one from the CA when there is none, when the kept one ends within 30 days,
// does not name every host, or was not issued by this CA (for example a self-signed one).
func (ca *CA) ServerCertificate(ctx context.Context, certPath, keyPath string, hosts []string) (tls.Certificate, error) {
	if len(hosts) == 0 {
		return tls.Certificate{}, errors.New("a server certificate needs at least one host name")
	}
	if cert, err := tls.LoadX509KeyPair(certPath, keyPath); err == nil && ca.keeps(cert, hosts) {
		return cert, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	chain, err := ca.issue(ctx, key, serverTemplate, x509util.CreateTemplateData(hosts[0], hosts), ca.now().Add(serverCertValidity))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("issue server certificate: %w", err)
	}
	var certPEM []byte
	for _, c := range chain {
		certPEM = append(certPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	if err := writeFileAtomic(keyPath, keyPEM, 0o600); err != nil {
		return tls.Certificate{}, err
	}
	if err := writeFileAtomic(certPath, certPEM, 0o644); err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(certPEM, keyPEM)
}

// templateOption hands an X.509 template to step's signer, which takes options only in
// this shape.
type templateOption []x509util.Option

func (o templateOption) Options(provisioner.SignOptions) []x509util.Option { return o }

// keeps reports whether a kept certificate can go on serving: issued by this CA, valid for
// more than the renewal period, and naming every host.
func (ca *CA) keeps(cert tls.Certificate, hosts []string) bool {
	if len(cert.Certificate) == 0 {
		return false
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil || leaf.CheckSignatureFrom(ca.material.intermediate) != nil {
		return false
	}
	if ca.now().Add(serverCertRenewal).After(leaf.NotAfter) {
		return false
	}
	return !slices.ContainsFunc(hosts, func(h string) bool { return leaf.VerifyHostname(h) != nil })
}

// writeFileAtomic writes data to a temporary file beside path and renames it into place,
// so that a crash leaves either the old file or the new one.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return errors.Join(err, os.Remove(tmp))
	}
	return nil
}
