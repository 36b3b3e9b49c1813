package pki

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smallstep/scep"
	"gorm.io/gorm"
)

// The SCEP endpoint answers under its name and under the pkiclient.exe path some
// clients append.
var scepPaths = []string{"/scep/devices", "/scep/devices/pkiclient.exe"}

func TestSCEPGetCACaps(t *testing.T) {
	dev := newSCEPDevice(t, newTestCA(t, backendSQLite), 2048)
	for _, path := range scepPaths {
		t.Run(path, func(t *testing.T) {
			status, body := dev.do(path, "operation=GetCACaps", nil)
			if status != http.StatusOK {
				t.Fatalf("HTTP %d", status)
			}
			caps := strings.Split(strings.TrimSpace(string(body)), "\r\n")
			for _, want := range []string{"AES", "SHA-256", "POSTPKIOperation"} {
				if !slices.Contains(caps, want) {
					t.Errorf("capabilities %q lack %s", caps, want)
				}
			}
		})
	}
}

func TestSCEPGetCACertReturnsTheRAAndTheIntermediate(t *testing.T) {
	ca := newTestCA(t, backendSQLite)
	dev := newSCEPDevice(t, ca, 2048)
	for _, path := range scepPaths {
		t.Run(path, func(t *testing.T) {
			status, body := dev.do(path, "operation=GetCACert", nil)
			if status != http.StatusOK {
				t.Fatalf("HTTP %d", status)
			}
			certs, err := scep.CACerts(body)
			if err != nil {
				t.Fatalf("GetCACert: %v", err)
			}
			if len(certs) != 2 {
				t.Fatalf("GetCACert returned %d certificates, want the RA and the intermediate", len(certs))
			}
			ra, inter := certs[0], certs[1]
			if _, ok := ra.PublicKey.(*rsa.PublicKey); !ok || ra.KeyUsage&x509.KeyUsageKeyEncipherment == 0 || ra.IsCA {
				t.Errorf("RA: key %T, key usage %b, CA %v; want RSA, keyEncipherment, no CA", ra.PublicKey, ra.KeyUsage, ra.IsCA)
			}
			if err := ra.CheckSignatureFrom(ca.Intermediate()); err != nil {
				t.Errorf("the RA is not issued by the intermediate: %v", err)
			}
			if !inter.Equal(ca.Intermediate()) {
				t.Errorf("second certificate is %q, want the intermediate", inter.Subject)
			}
		})
	}
}

func TestSCEPEnrolmentIssuesTheEnrolmentsCertificate(t *testing.T) {
	tests := []struct {
		name string
		send func(d *scepDevice, raw []byte) (int, *scep.PKIMessage)
	}{
		{"POST", func(d *scepDevice, raw []byte) (int, *scep.PKIMessage) { return d.send(raw, false) }},
		{"GET", func(d *scepDevice, raw []byte) (int, *scep.PKIMessage) { return d.send(raw, true) }},
		{"POST to pkiclient.exe", func(d *scepDevice, raw []byte) (int, *scep.PKIMessage) {
			return d.reply(d.do(scepPaths[1], "operation=PKIOperation", raw))
		}},
		{"GET with + and / unescaped, as Apple devices send it", func(d *scepDevice, raw []byte) (int, *scep.PKIMessage) {
			b64 := base64.StdEncoding.EncodeToString(raw)
			if !strings.ContainsAny(b64, "+") || !strings.ContainsAny(b64, "/") {
				d.t.Fatal("the message has no + or / in base64; this case proves nothing")
			}
			return d.reply(d.get("operation=PKIOperation&message=" + strings.ReplaceAll(b64, "=", "%3D")))
		}},
	}
	eachBackend(t, func(t *testing.T, ca *CA) {
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				id := Identity{TenantID: "musterstadt", EnrolmentID: "enrol-" + string(rune('a'+i))}
				dev := newSCEPDevice(t, ca, 2048)
				status, rep := tt.send(dev, dev.request(mustChallenge(t, ca, id)).Raw)
				if status != http.StatusOK {
					t.Fatalf("HTTP %d", status)
				}
				cert := dev.issued(rep)
				if cert == nil {
					t.Fatalf("SCEP failure %s, want a certificate", string(rep.FailInfo))
				}
				checkDeviceCertificate(t, ca, id, cert, 365*24*time.Hour)
			})
		}
	})
}

func TestSCEPDeviceValidityFollowsTheConfiguration(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		ca := openTestCA(t, db, Config{DeviceValidity: 30 * 24 * time.Hour})
		id := Identity{TenantID: "musterstadt", EnrolmentID: "e1"}
		cert := newSCEPDevice(t, ca, 2048).mustEnrol(mustChallenge(t, ca, id))
		checkDeviceCertificate(t, ca, id, cert, 30*24*time.Hour)
	})
}

// checkDeviceCertificate checks that cert is the enrolment's device certificate, valid
// for validity from now, with nothing in it that the device asked for.
func checkDeviceCertificate(t *testing.T, ca *CA, id Identity, cert *x509.Certificate, validity time.Duration) {
	t.Helper()
	roots, inters := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(ca.Root())
	inters.AddCert(ca.Intermediate())
	chains, err := cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inters,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	if err != nil {
		t.Fatalf("does not chain to the root: %v", err)
	}
	if c := chains[0]; len(c) != 3 || !c[1].Equal(ca.Intermediate()) || !c[2].Equal(ca.Root()) {
		t.Errorf("chain has %d certificates, want leaf, intermediate, root", len(c))
	}
	if cert.Subject.CommonName != id.EnrolmentID || !slices.Equal(cert.Subject.OrganizationalUnit, []string{id.TenantID}) {
		t.Errorf("subject %q, want CN=%s, OU=%s", cert.Subject, id.EnrolmentID, id.TenantID)
	}
	if len(cert.URIs) != 1 || cert.URIs[0].String() != id.URI() {
		t.Errorf("URI SANs %v, want [%s]", cert.URIs, id.URI())
	}
	if len(cert.DNSNames) != 0 || strings.Contains(cert.Subject.String(), "asked-for-by-the-device") {
		t.Errorf("the certificate carries what the device asked for: subject %q, DNS names %v", cert.Subject, cert.DNSNames)
	}
	if !slices.Equal(cert.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}) || len(cert.UnknownExtKeyUsage) != 0 {
		t.Errorf("extended key usage %v %v, want exactly clientAuth", cert.ExtKeyUsage, cert.UnknownExtKeyUsage)
	}
	if !slices.Equal(cert.CRLDistributionPoints, []string{ca.CRLURL()}) {
		t.Errorf("CRL distribution points %v, want [%s]", cert.CRLDistributionPoints, ca.CRLURL())
	}
	if d := cert.NotAfter.Sub(cert.NotBefore) - validity; d < -2*time.Minute || d > 2*time.Minute {
		t.Errorf("valid for %s, want %s", cert.NotAfter.Sub(cert.NotBefore), validity)
	}
	if d := time.Until(cert.NotAfter) - validity; d < -2*time.Minute || d > 2*time.Minute {
		t.Errorf("valid until %s, want about now + %s", cert.NotAfter, validity)
	}
	ctx := context.Background()
	if got, err := ca.VerifyDevice(ctx, cert); err != nil || got != id {
		t.Errorf("VerifyDevice = %v, %v; want %v", got, err, id)
	}
	listed, err := ca.Certificates(ctx, id.TenantID, id.EnrolmentID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(listed, func(c CertificateInfo) bool { return c.Serial == cert.SerialNumber.String() && c.Identity == id }) {
		t.Errorf("Certificates(%s, %s) = %v, want the issued serial %s", id.TenantID, id.EnrolmentID, listed, cert.SerialNumber)
	}
}

// wantSCEPFailure checks that the CA answered a PKIOperation with a SCEP failure.
func wantSCEPFailure(t *testing.T, status int, rep *scep.PKIMessage) {
	t.Helper()
	if status != http.StatusOK {
		t.Fatalf("HTTP %d, want 200 with a SCEP failure", status)
	}
	if rep.PKIStatus != scep.FAILURE || string(rep.FailInfo) != string(scep.BadRequest) {
		t.Fatalf("PKIStatus %q, failInfo %q; want FAILURE, badRequest", string(rep.PKIStatus), string(rep.FailInfo))
	}
}

func TestSCEPRefusesChallenges(t *testing.T) {
	const validity = 10 * time.Minute
	tests := []struct {
		name string
		// challenge returns the challenge the device presents.
		challenge func(t *testing.T, ca *CA, clock *testClock) string
	}{
		{"used by another device", func(t *testing.T, ca *CA, _ *testClock) string {
			ch := mustChallenge(t, ca, Identity{TenantID: "musterstadt", EnrolmentID: "first"})
			newSCEPDevice(t, ca, 2048).mustEnrol(ch)
			return ch
		}},
		{"wrong", func(*testing.T, *CA, *testClock) string { return "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" }},
		{"empty", func(*testing.T, *CA, *testClock) string { return "" }},
		{"expired", func(t *testing.T, ca *CA, clock *testClock) string {
			ch := mustChallenge(t, ca, Identity{TenantID: "musterstadt", EnrolmentID: "late"})
			clock.Advance(validity + time.Second)
			return ch
		}},
	}
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		clock := newTestClock()
		ca := openTestCA(t, db, Config{Now: clock.Now, ChallengeValidity: validity})
		// An open challenge of another enrolment, which none of the refused ones may match.
		mustChallenge(t, ca, Identity{TenantID: "musterstadt", EnrolmentID: "open"})
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ch := tt.challenge(t, ca, clock)
				before := storedCertificates(t, ca)
				dev := newSCEPDevice(t, ca, 2048)
				status, rep := dev.send(dev.request(ch).Raw, false)
				wantSCEPFailure(t, status, rep)
				if after := storedCertificates(t, ca); after != before {
					t.Errorf("%d certificates stored, want none", after-before)
				}
			})
		}
	})
}

func TestSCEPChallengeWorksUntilItExpires(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		clock := newTestClock()
		ca := openTestCA(t, db, Config{Now: clock.Now, ChallengeValidity: 10 * time.Minute})
		ch := mustChallenge(t, ca, Identity{TenantID: "musterstadt", EnrolmentID: "e1"})
		clock.Advance(10*time.Minute - time.Second)
		newSCEPDevice(t, ca, 2048).mustEnrol(ch)
	})
}

func TestSCEPChallengeIsBoundToItsEnrolment(t *testing.T) {
	eachBackend(t, func(t *testing.T, ca *CA) {
		first := Identity{TenantID: "musterstadt", EnrolmentID: "first"}
		second := Identity{TenantID: "nachbardorf", EnrolmentID: "second"}
		chFirst, chSecond := mustChallenge(t, ca, first), mustChallenge(t, ca, second)
		// Used in the other order than made: each certificate still names its challenge's
		// enrolment.
		certSecond := newSCEPDevice(t, ca, 2048).mustEnrol(chSecond)
		certFirst := newSCEPDevice(t, ca, 2048).mustEnrol(chFirst)
		for _, c := range []struct {
			cert *x509.Certificate
			id   Identity
		}{{certFirst, first}, {certSecond, second}} {
			if got, err := ca.VerifyDevice(context.Background(), c.cert); err != nil || got != c.id {
				t.Errorf("certificate %s belongs to %v (%v), want %v", c.cert.SerialNumber, got, err, c.id)
			}
		}
	})
}

// A device that lost the answer sends the very same request again (same message, so the
// same SCEP transaction). It gets a certificate again: a new one for the same key and the
// same enrolment, which is harmless and spares the employee a new invitation. Nobody else
// gets one with the used challenge, not even with the first device's transaction ID.
func TestSCEPRetryOfTheSameRequestIsAnsweredAgain(t *testing.T) {
	eachBackend(t, func(t *testing.T, ca *CA) {
		id := Identity{TenantID: "musterstadt", EnrolmentID: "e1"}
		ch := mustChallenge(t, ca, id)
		dev := newSCEPDevice(t, ca, 2048)
		msg := dev.request(ch)
		var issued []*x509.Certificate
		for range 2 {
			status, rep := dev.send(msg.Raw, false)
			if status != http.StatusOK {
				t.Fatalf("HTTP %d", status)
			}
			cert := dev.issued(rep)
			if cert == nil {
				t.Fatalf("SCEP failure %s, want a certificate", string(rep.FailInfo))
			}
			issued = append(issued, cert)
		}
		for _, cert := range issued {
			if got, err := ca.VerifyDevice(context.Background(), cert); err != nil || got != id {
				t.Errorf("VerifyDevice = %v, %v; want %v", got, err, id)
			}
			if !dev.key.PublicKey.Equal(cert.PublicKey) {
				t.Error("a certificate for another key than the device's")
			}
		}
		listed, err := ca.Certificates(context.Background(), id.TenantID, id.EnrolmentID)
		if err != nil || len(listed) != 2 {
			t.Errorf("Certificates = %d, %v; want both issued certificates", len(listed), err)
		}

		other := newSCEPDevice(t, ca, 2048)
		before := storedCertificates(t, ca)
		status, rep := other.send(other.request(ch).Raw, false)
		wantSCEPFailure(t, status, rep)
		status, rep = other.send(other.forgedRequest(ch, msg.TransactionID), false)
		wantSCEPFailure(t, status, rep)
		if after := storedCertificates(t, ca); after != before {
			t.Errorf("%d certificates stored for another key, want none", after-before)
		}
		// The forged message is refused for its challenge, not for its form.
		fresh := mustChallenge(t, ca, Identity{TenantID: "musterstadt", EnrolmentID: "e2"})
		if status, rep := other.send(other.forgedRequest(fresh, msg.TransactionID), false); status != http.StatusOK || other.issued(rep) == nil {
			t.Errorf("a hand-made request with a fresh challenge was refused (HTTP %d)", status)
		}
	})
}
