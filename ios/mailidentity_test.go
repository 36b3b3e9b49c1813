package ios_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/trennwand/trennwand/ios/ddm"
	"github.com/trennwand/trennwand/pki"
)

// Simone's iPhone gets the certificate of its Exchange account from the CA that issued
// its MDM identity, for the same enrolment; the mail server gets to see it, so it must
// never pass as the identity. Signed with it, the phone's Idle is refused with 403; the
// phone goes on with its real identity. The device page tells the two apart (the CA's
// device certificate and the work mail account's), and removing the device revokes both.
func TestTheMailCertificateIsNeverThePhonesIdentity(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.pushing(t)
		s.exchangePolicy(t)
		ph := s.enrolSimulatedIPhone(t, "18.1")
		d := s.devices(t)[0]
		waitUntil(t, "the phone reported its mail certificate", func() bool {
			if _, err := ph.Wake(ctx); err != nil {
				t.Fatal(err)
			}
			return len(s.heldCertificates(t, d)) == 2
		})
		mail := ph.AssetIdentities()[ddm.MailIdentityIdentifier].Certificate
		if pki.PurposeOf(mail) != pki.PurposeMail {
			t.Fatalf("the mail certificate is for %s, want %s (extended key usages %v)", pki.PurposeOf(mail), pki.PurposeMail, mail.ExtKeyUsage)
		}

		status, err := ph.IdleAsAsset(ctx, ddm.MailIdentityIdentifier)
		if err != nil {
			t.Fatal(err)
		}
		if status != http.StatusForbidden {
			t.Errorf("an Idle signed with the mail certificate: HTTP %d, want 403", status)
		}
		if _, err := ph.Wake(ctx); err != nil {
			t.Errorf("the phone's own identity no longer works: %v", err)
		}

		purposes := map[string]bool{}
		for _, c := range s.heldCertificates(t, d) {
			if !c.Ours || !c.Identity || c.Warning != "" {
				t.Errorf("the device page shows %+v, want a valid identity of the CA", c)
			}
			purposes[c.Purpose] = true
		}
		if !purposes[string(pki.PurposeDevice)] || !purposes[string(pki.PurposeMail)] {
			t.Errorf("the device page shows the purposes %v, want device and mail", purposes)
		}

		if err := s.svc.RemoveDevice(ctx, "admin:test", s.tenant, d.ID, "left the town hall"); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, "both certificates are revoked", func() bool {
			certs, err := s.ca.Certificates(ctx, d.TenantID, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			revoked := map[pki.Purpose]bool{}
			for _, c := range certs {
				revoked[c.Purpose] = revoked[c.Purpose] || c.Revoked
			}
			return revoked[pki.PurposeDevice] && revoked[pki.PurposeMail]
		})
	})
}
