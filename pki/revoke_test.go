package pki

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	stepdb "github.com/smallstep/certificates/db"
	"gorm.io/gorm"
)

func TestParseSerial(t *testing.T) {
	tests := []struct {
		in, want string // want "" means refused
	}{
		{"12345", "12345"},
		{"0042", "42"},
		{"3a:f0:01", "3862529"},
		{"3A:F0:01", "3862529"},
		{"3af001", "3862529"},
		{"01", "1"},
		// Decimal wins: hex without colons and without a letter is read as decimal.
		{"1234", "1234"},
		{strings.Repeat("ff:", 19) + "ff", new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 160), big.NewInt(1)).String()},
		{"", ""},
		{"0", ""},
		{"00:00", ""},
		{"-5", ""},
		{"-3a", ""},
		{"0x3af001", ""},
		{"3a f0 01", ""},
		{" 12345", ""},
		{"12.5", ""},
		{"serial", ""},
		{"01:" + strings.Repeat("00:", 19) + "00", ""}, // 2^160: longer than the 20 octets of RFC 5280
		{"š", ""},  // U+0161, whose low byte is 'a'
		{"1Ａ", ""}, // a full-width A
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSerial(tt.in)
			if tt.want == "" && err == nil {
				t.Fatalf("ParseSerial(%q) = %q, want an error", tt.in, got)
			}
			if tt.want != "" && (err != nil || got != tt.want) {
				t.Fatalf("ParseSerial(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// opensslSerial writes a serial number as openssl x509 -text prints it.
func opensslSerial(n *big.Int) string {
	b := n.Bytes()
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02x", c)
	}
	return strings.Join(parts, ":")
}

// currentCRL reads the CA's CRL and checks that the intermediate signed it.
func currentCRL(t *testing.T, ca *CA) *x509.RevocationList {
	t.Helper()
	der, err := ca.CRL()
	if err != nil {
		t.Fatal(err)
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatalf("parse CRL: %v", err)
	}
	if err := crl.CheckSignatureFrom(ca.Intermediate()); err != nil {
		t.Fatalf("the CRL is not signed by the intermediate: %v", err)
	}
	return crl
}

// crlEntry returns the CRL's entry for the certificate, or nil.
func crlEntry(crl *x509.RevocationList, cert *x509.Certificate) *x509.RevocationListEntry {
	for i, e := range crl.RevokedCertificateEntries {
		if e.SerialNumber.Cmp(cert.SerialNumber) == 0 {
			return &crl.RevokedCertificateEntries[i]
		}
	}
	return nil
}

// A phone is lost: IT revokes its certificate by the serial number openssl shows, the CRL
// lists it with the reason, and the CA no longer accepts it.
func TestRevokeOneCertificate(t *testing.T) {
	eachBackend(t, func(t *testing.T, ca *CA) {
		ctx := context.Background()
		id := Identity{TenantID: "musterstadt", EnrolmentID: "e1"}
		cert := newSCEPDevice(t, ca, 2048).mustEnrol(mustChallenge(t, ca, id))
		before := currentCRL(t, ca)
		if crlEntry(before, cert) != nil {
			t.Fatal("the CRL lists a certificate nobody revoked")
		}

		serial, err := ParseSerial(opensslSerial(cert.SerialNumber))
		if err != nil {
			t.Fatal(err)
		}
		if err := ca.Revoke(ctx, serial, ReasonKeyCompromise, "phone lost"); err != nil {
			t.Fatalf("Revoke: %v", err)
		}

		crl := currentCRL(t, ca)
		entry := crlEntry(crl, cert)
		if entry == nil {
			t.Fatalf("the CRL does not list %s", serial)
		}
		if entry.ReasonCode != ReasonKeyCompromise {
			t.Errorf("reason code %d, want %d (key compromise)", entry.ReasonCode, ReasonKeyCompromise)
		}
		if crl.Number.Cmp(before.Number) <= 0 {
			t.Errorf("CRL number %v after revoking, %v before; want it higher", crl.Number, before.Number)
		}
		if info, err := ca.Certificate(ctx, serial); err != nil || !info.Revoked {
			t.Errorf("Certificate(%s) = %+v, %v; want it revoked", serial, info, err)
		}
		if _, err := ca.VerifyDevice(ctx, cert); err == nil {
			t.Error("VerifyDevice accepts a revoked certificate")
		}
		if err := ca.Revoke(ctx, serial, ReasonKeyCompromise, "again"); !errors.Is(err, ErrAlreadyRevoked) {
			t.Errorf("second Revoke = %v, want ErrAlreadyRevoked", err)
		}
		if err := ca.Revoke(ctx, "4711", ReasonUnspecified, ""); !errors.Is(err, ErrUnknownCertificate) {
			t.Errorf("Revoke of an unknown serial = %v, want ErrUnknownCertificate", err)
		}
	})
}

// An employee leaves: every certificate of the enrolment is revoked, a repeated removal
// revokes nothing more, and the other enrolment's certificate stays valid.
func TestRevokeEnrolment(t *testing.T) {
	eachBackend(t, func(t *testing.T, ca *CA) {
		ctx := context.Background()
		leaving := Identity{TenantID: "musterstadt", EnrolmentID: "leaving"}
		staying := Identity{TenantID: "musterstadt", EnrolmentID: "staying"}
		leavingCerts := []*x509.Certificate{
			newSCEPDevice(t, ca, 2048).mustEnrol(mustChallenge(t, ca, leaving)),
			newSCEPDevice(t, ca, 2048).mustEnrol(mustChallenge(t, ca, leaving)),
		}
		stayingCert := newSCEPDevice(t, ca, 2048).mustEnrol(mustChallenge(t, ca, staying))

		for i, want := range []int{2, 0} {
			n, err := ca.RevokeEnrolment(ctx, leaving, ReasonAffiliationChanged, "left the administration")
			if err != nil || n != want {
				t.Fatalf("RevokeEnrolment call %d = %d, %v; want %d", i+1, n, err, want)
			}
		}
		crl := currentCRL(t, ca)
		for _, cert := range leavingCerts {
			if e := crlEntry(crl, cert); e == nil || e.ReasonCode != ReasonAffiliationChanged {
				t.Errorf("CRL entry for %s = %+v, want one with reason %d", cert.SerialNumber, e, ReasonAffiliationChanged)
			}
			if _, err := ca.VerifyDevice(ctx, cert); err == nil {
				t.Errorf("VerifyDevice accepts revoked %s", cert.SerialNumber)
			}
		}
		if crlEntry(crl, stayingCert) != nil {
			t.Error("the CRL lists the other enrolment's certificate")
		}
		if got, err := ca.VerifyDevice(ctx, stayingCert); err != nil || got != staying {
			t.Errorf("VerifyDevice(other enrolment) = %v, %v; want %v", got, err, staying)
		}
	})
}

// An identity with an empty part must not widen the revocation to a whole tenant or the
// installation.
func TestRevokeEnrolmentRefusesAnIncompleteIdentity(t *testing.T) {
	eachBackend(t, func(t *testing.T, ca *CA) {
		cert := signDevice(t, ca, newDeviceCSR(t), Identity{TenantID: "musterstadt", EnrolmentID: "e1"})
		for _, id := range []Identity{{}, {TenantID: "musterstadt"}, {EnrolmentID: "e1"}} {
			if n, err := ca.RevokeEnrolment(context.Background(), id, ReasonUnspecified, ""); err == nil || n != 0 {
				t.Errorf("RevokeEnrolment(%+v) = %d, %v; want an error and nothing revoked", id, n, err)
			}
		}
		if info, err := ca.Certificate(context.Background(), cert.SerialNumber.String()); err != nil || info.Revoked {
			t.Errorf("Certificate = %+v, %v; want it still valid", info, err)
		}
	})
}

func TestCRLNumberIncreasesWithEachRevocation(t *testing.T) {
	eachBackend(t, func(t *testing.T, ca *CA) {
		id := Identity{TenantID: "musterstadt", EnrolmentID: "e1"}
		csr := newDeviceCSR(t)
		last := currentCRL(t, ca).Number
		for i := range 3 {
			cert := signDevice(t, ca, csr, id)
			if err := ca.Revoke(context.Background(), cert.SerialNumber.String(), ReasonUnspecified, ""); err != nil {
				t.Fatal(err)
			}
			crl := currentCRL(t, ca)
			if crl.Number.Cmp(last) <= 0 || len(crl.RevokedCertificateEntries) != i+1 {
				t.Fatalf("after revocation %d: CRL number %v (before %v), %d entries", i+1, crl.Number, last, len(crl.RevokedCertificateEntries))
			}
			last = crl.Number
		}
	})
}

// A second replica opens the same database: it finds the CA the first one made, and each
// sees the other's revocations.
func TestSecondReplicaSharesTheCAAndItsRevocations(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		first := openTestCA(t, db, Config{})
		id := Identity{TenantID: "musterstadt", EnrolmentID: "e1"}
		csr := newDeviceCSR(t)
		revokedFirst, revokedSecond := signDevice(t, first, csr, id), signDevice(t, first, csr, id)
		if err := first.Revoke(ctx, revokedFirst.SerialNumber.String(), ReasonKeyCompromise, ""); err != nil {
			t.Fatal(err)
		}

		second := openTestCA(t, db, Config{})
		if !second.Root().Equal(first.Root()) || !second.Intermediate().Equal(first.Intermediate()) {
			t.Fatal("the second replica has a CA of its own")
		}
		var authorities int64
		if err := db.Model(&authorityRow{}).Count(&authorities).Error; err != nil || authorities != 1 {
			t.Fatalf("%d rows in pki_authority (%v), want 1", authorities, err)
		}
		if crlEntry(currentCRL(t, second), revokedFirst) == nil {
			t.Error("the second replica's CRL lacks the first replica's revocation")
		}
		if _, err := second.VerifyDevice(ctx, revokedFirst); err == nil {
			t.Error("the second replica accepts a certificate the first revoked")
		}
		if err := second.Revoke(ctx, revokedSecond.SerialNumber.String(), ReasonKeyCompromise, ""); err != nil {
			t.Fatal(err)
		}
		crl := currentCRL(t, first)
		if crlEntry(crl, revokedFirst) == nil || crlEntry(crl, revokedSecond) == nil {
			t.Error("the first replica's CRL lacks a revocation")
		}
	})
}

// Replicas revoking at the same time each regenerate the CRL from what they read; the
// CRL that ends up stored lists every revocation.
func TestConcurrentRevocationsOnTwoReplicasAllReachTheCRL(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		replicas := []*CA{openTestCA(t, db, Config{}), openTestCA(t, db, Config{})}
		id := Identity{TenantID: "musterstadt", EnrolmentID: "e1"}
		csr := newDeviceCSR(t)
		certs := make([]*x509.Certificate, 16)
		for i := range certs {
			certs[i] = signDevice(t, replicas[0], csr, id)
		}
		var wg sync.WaitGroup
		for i, cert := range certs {
			wg.Go(func() {
				if err := replicas[i%2].Revoke(context.Background(), cert.SerialNumber.String(), ReasonUnspecified, ""); err != nil {
					t.Errorf("Revoke on replica %d: %v", i%2, err)
				}
			})
		}
		wg.Wait()
		crl := currentCRL(t, replicas[0])
		for _, cert := range certs {
			if crlEntry(crl, cert) == nil {
				t.Errorf("the CRL (number %v, %d entries) lacks %s", crl.Number, len(crl.RevokedCertificateEntries), cert.SerialNumber)
			}
		}
	})
}

// Replicas starting together on an empty database each store their first CRL; all of
// them succeed, and afterwards only a CRL with a higher number replaces the stored one.
func TestStoreCRLKeepsTheHighestNumber(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		store := &authDB{db: db, now: time.Now}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 4 {
			wg.Go(func() {
				<-start
				if err := store.StoreCRL(&stepdb.CertificateRevocationListInfo{Number: 0, DER: []byte{byte(i)}}); err != nil {
					t.Errorf("first StoreCRL %d: %v", i, err)
				}
			})
		}
		close(start)
		wg.Wait()

		for _, step := range []struct {
			number int64
			der    byte
			want   byte // the DER stored afterwards
		}{{1, 10, 10}, {1, 11, 10}, {0, 12, 10}, {2, 13, 13}} {
			if err := store.StoreCRL(&stepdb.CertificateRevocationListInfo{Number: step.number, DER: []byte{step.der}}); err != nil {
				t.Fatal(err)
			}
			got, err := store.GetCRL()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.DER, []byte{step.want}) {
				t.Errorf("after storing number %d: stored CRL %v, want %v", step.number, got.DER, []byte{step.want})
			}
		}
	})
}
