package pki

import (
	"context"
	"crypto/x509"
	"errors"
	"slices"
	"testing"
)

// Erika's iPhone gets its MDM identity and, for the work mail account, a second
// certificate that names the same enrolment. The mail certificate is for client
// authentication (what Exchange asks for) and e-mail protection (the mark of a mail
// certificate); the identity for client authentication alone. The CA records each with
// its purpose, refuses the mail certificate as the device's identity while it takes the
// identity, and revokes both when the enrolment ends.
func TestTheMailCertificateIsNeverTheDevicesIdentity(t *testing.T) {
	eachBackend(t, func(t *testing.T, ca *CA) {
		ctx := context.Background()
		erika := Identity{TenantID: "musterstadt", EnrolmentID: "erika-iphone"}
		identity := newSCEPDevice(t, ca, 2048).mustEnrol(mustChallenge(t, ca, erika))
		ch, err := ca.NewMailChallenge(ctx, erika)
		if err != nil {
			t.Fatal(err)
		}
		mail := newSCEPDevice(t, ca, 2048).mustEnrol(ch.Secret)

		if got := identity.ExtKeyUsage; !slices.Equal(got, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}) {
			t.Errorf("the identity's extended key usages are %v, want client authentication alone", got)
		}
		if got := mail.ExtKeyUsage; !slices.Contains(got, x509.ExtKeyUsageClientAuth) || !slices.Contains(got, x509.ExtKeyUsageEmailProtection) {
			t.Errorf("the mail certificate's extended key usages are %v, want client authentication and e-mail protection", got)
		}
		if uris := mail.URIs; len(uris) != 1 || uris[0].String() != erika.URI() {
			t.Errorf("the mail certificate names %v, want %s", uris, erika.URI())
		}
		if PurposeOf(identity) != PurposeDevice || PurposeOf(mail) != PurposeMail {
			t.Errorf("purposes read %s and %s, want device and mail", PurposeOf(identity), PurposeOf(mail))
		}

		if got, err := ca.VerifyDevice(ctx, identity); err != nil || got != erika {
			t.Errorf("VerifyDevice(identity) = %v, %v; want %v", got, err, erika)
		}
		if _, err := ca.VerifyDevice(ctx, mail); !errors.Is(err, ErrNotDeviceIdentity) {
			t.Errorf("VerifyDevice(mail certificate) = %v, want ErrNotDeviceIdentity", err)
		}

		certs, err := ca.Certificates(ctx, erika.TenantID, erika.EnrolmentID)
		if err != nil {
			t.Fatal(err)
		}
		purposes := map[string]Purpose{}
		for _, c := range certs {
			purposes[c.Serial] = c.Purpose
		}
		if purposes[identity.SerialNumber.String()] != PurposeDevice || purposes[mail.SerialNumber.String()] != PurposeMail {
			t.Errorf("the CA records the purposes %v, want the identity's device and the mail certificate's mail", purposes)
		}

		if n, err := ca.RevokeEnrolment(ctx, erika, ReasonAffiliationChanged, "left the town hall"); err != nil || n != 2 {
			t.Fatalf("RevokeEnrolment = %d, %v; want both certificates revoked", n, err)
		}
		crl := currentCRL(t, ca)
		for _, c := range []*x509.Certificate{identity, mail} {
			if crlEntry(crl, c) == nil {
				t.Errorf("the CRL does not list %s", c.SerialNumber)
			}
		}
		// Revoked, the mail certificate is still refused for what it is, not for its
		// revocation: a device being removed may use its revoked identity, never this.
		if _, err := ca.VerifyDevice(ctx, mail); !errors.Is(err, ErrNotDeviceIdentity) {
			t.Errorf("VerifyDevice(revoked mail certificate) = %v, want ErrNotDeviceIdentity", err)
		}
	})
}

// A phone reports the certificates it holds: LookUp tells those the CA issued, with their
// purpose, from a certificate of another CA that carries one of the CA's serial numbers;
// Revoked tells which of the CA's the CA has revoked.
func TestLookUpKnowsTheCertificatesTheCAIssued(t *testing.T) {
	eachBackend(t, func(t *testing.T, ca *CA) {
		ctx := context.Background()
		id := Identity{TenantID: "musterstadt", EnrolmentID: "simone-iphone"}
		identity := newSCEPDevice(t, ca, 2048).mustEnrol(mustChallenge(t, ca, id))
		ch, err := ca.NewMailChallenge(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		mail := newSCEPDevice(t, ca, 2048).mustEnrol(ch.Secret)
		if err := ca.Revoke(ctx, mail.SerialNumber.String(), ReasonKeyCompromise, "lost"); err != nil {
			t.Fatal(err)
		}
		_, foreign := newSelfSigned(t, 2048, "mail.musterstadt.de")
		impostor := *foreign
		impostor.SerialNumber = identity.SerialNumber

		got, err := LookUp(ctx, ca.db, []*x509.Certificate{identity, mail, foreign, &impostor})
		if err != nil {
			t.Fatal(err)
		}
		want := []Issued{{Ours: true, Purpose: PurposeDevice}, {Ours: true, Purpose: PurposeMail}, {}, {}}
		if !slices.Equal(got, want) {
			t.Errorf("LookUp = %+v, want %+v", got, want)
		}
		revoked, err := Revoked(ctx, ca.db, []string{identity.SerialNumber.String(), mail.SerialNumber.String()})
		if err != nil || len(revoked) != 1 || !revoked[mail.SerialNumber.String()] {
			t.Errorf("Revoked = %v, %v; want the mail certificate alone", revoked, err)
		}
	})
}
