package ios_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/pki"
)

// foreignCertificate is a certificate of another issuer than the installation's CA, which
// ends at notAfter: one IT put into the work area by other means.
func foreignCertificate(t testing.TB, cn string, notAfter time.Time) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(4711), Subject: pkix.Name{CommonName: cn},
		Issuer: pkix.Name{CommonName: cn}, NotBefore: notAfter.Add(-365 * 24 * time.Hour), NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// certificateList is a status report of security.certificate.list with the entries.
func certificateList(full bool, entries ...map[string]any) string {
	b, _ := json.Marshal(map[string]any{"FullReport": full, "StatusItems": map[string]any{"security": map[string]any{"certificate": map[string]any{"list": entries}}}})
	return string(b)
}

// heldEntry is an entry of the list for a certificate the work area holds.
func heldEntry(id string, c *x509.Certificate, identity bool) map[string]any {
	return map[string]any{"identifier": id, "subject-summary": c.Subject.CommonName, "is-identity": identity, "data": base64.StdEncoding.EncodeToString(c.Raw)}
}

// heldCertificates returns what the device page shows of the device's work certificates.
func (s *site) heldCertificates(t testing.TB, d mdm.Device) []mdm.HeldCertificate {
	t.Helper()
	detail, err := s.svc.ViewDevice(context.Background(), "admin:test", s.tenant, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	return detail.Certificates
}

// certificatesOf is heldCertificates by common name, for certificates whose names differ.
func (s *site) certificatesOf(t testing.TB, d mdm.Device) map[string]mdm.HeldCertificate {
	t.Helper()
	out := map[string]mdm.HeldCertificate{}
	for _, c := range s.heldCertificates(t, d) {
		out[c.CommonName] = c
	}
	return out
}

// Erika's iPhone on iOS 17.4 reports the certificates of its work area: its MDM identity,
// which the installation's CA issued, and a VPN certificate of another issuer that ends in
// ten days. The device page shows each with its issuer, serial number and end, the
// identity as the CA's device certificate, and warns of the VPN certificate. A later
// report that names only what went removes it; a full report replaces the list; a report
// with a certificate that cannot be read is refused and changes nothing, not even the
// passcode it carries. When the CA revokes the identity while the phone still holds it,
// the page says so.
func TestTheWorkAreasCertificatesAreShownWithTheirWarnings(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.pushing(t)
		s.declarativePolicy(t)
		p := s.enrolledOn(t, "erika", "17.4")
		d := s.deviceOf(t, p)
		vpn := foreignCertificate(t, "VPN Musterstadt", time.Now().Add(10*24*time.Hour))

		p.status(t, certificateList(true, heldEntry("mdm", p.cert, true), heldEntry("vpn", vpn, true)))
		certs := s.certificatesOf(t, d)
		identity, other := certs[p.cert.Subject.CommonName], certs["VPN Musterstadt"]
		if len(certs) != 2 || !identity.Ours || identity.Purpose != string(pki.PurposeDevice) || !identity.Identity ||
			identity.Serial != p.cert.SerialNumber.String() || identity.Warning != "" || identity.Issuer != p.cert.Issuer.CommonName {
			t.Errorf("the identity is shown as %+v (of %d certificates)", identity, len(certs))
		}
		if other.Ours || other.Issuer != "VPN Musterstadt" || other.Serial != "4711" || !other.NotAfter.Equal(vpn.NotAfter) ||
			other.Warning != mdm.CertificateExpiring {
			t.Errorf("the VPN certificate is shown as %+v, want another issuer's that expires soon", other)
		}

		p.status(t, certificateList(false, map[string]any{"identifier": "vpn", "_removed": true}))
		if certs := s.certificatesOf(t, d); len(certs) != 1 || !certs[p.cert.Subject.CommonName].Ours {
			t.Errorf("after the VPN certificate went: %+v", certs)
		}
		p.status(t, certificateList(true, heldEntry("vpn", vpn, false)))
		if certs := s.certificatesOf(t, d); len(certs) != 1 || certs["VPN Musterstadt"].Identity {
			t.Errorf("after a full report of the VPN certificate alone: %+v", certs)
		}
		p.status(t, certificateList(true, heldEntry("mdm", p.cert, true)))

		bad := `{"StatusItems":{"passcode":{"is-compliant":false},"security":{"certificate":{"list":[{"identifier":"x","subject-summary":"x","is-identity":false,"data":"AAAA"}]}}}}`
		if status, _ := p.declarative(t, "status", []byte(bad)); status != http.StatusBadRequest {
			t.Errorf("a report with a certificate that is none: HTTP %d, want 400", status)
		}
		if certs := s.certificatesOf(t, d); len(certs) != 1 {
			t.Errorf("the refused report changed the certificates: %+v", certs)
		}
		if got := s.device(t, d.ID); got.Compliance == mdm.ComplianceNonCompliant {
			t.Error("the refused report's passcode was taken")
		}

		if err := s.ca.Revoke(ctx, p.cert.SerialNumber.String(), pki.ReasonKeyCompromise, "the phone was lost"); err != nil {
			t.Fatal(err)
		}
		if c := s.certificatesOf(t, d)[p.cert.Subject.CommonName]; !c.Revoked || c.Warning != mdm.CertificateRevoked {
			t.Errorf("the revoked identity is shown as %+v", c)
		}
	})
}
