package android_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// lastAudit returns the tenant's newest audit event.
func (s *site) lastAudit(t *testing.T) audit.Event {
	t.Helper()
	events, err := s.svc.Trail.AuditPage(context.Background(), s.tenant, mdm.AuditFilter{}, 0, mdm.MaxPageSize)
	if err != nil || len(events) == 0 {
		t.Fatalf("audit trail: %v, %d events", err, len(events))
	}
	return events[len(events)-1]
}

// Every work profile of a work policy holds the same bootstrap secret, and the
// enrolment-specific ID is no secret. The first request of an enrolment binds the device
// to the key the companion app names; another work profile asking later in that device's
// name with its own key gets no challenge, and the refusal is a security event on the
// device. An administrator allows one renewal, after which the new key is the device's.
func TestAnotherKeyGetsNoChallengeForTheDevice(t *testing.T) {
	eachCertBackend(t, func(t *testing.T, s *certSite) {
		ctx := context.Background()
		b := s.bind(t)
		victim, phone := s.active(t, "erika.mustermann@musterstadt.de")
		s.active(t, "mallory@musterstadt.de")
		if err := s.platform.EnableCertificates(ctx, "admin:test", s.tenant, android.CertificateSettings{}); err != nil {
			t.Fatal(err)
		}
		config := s.companionConfig(t, b.Enterprise, victim)
		secret, url := config[android.ConfigBootstrapSecret], config[android.ConfigChallengeURL]
		esid := phone.HardwareInfo.EnterpriseSpecificId
		victimKey, attackerKey, newKey := strings.Repeat("1a", 32), strings.Repeat("2b", 32), strings.Repeat("3c", 32)

		for i := range 2 {
			if status, answer := s.askChallenge(t, url, secret, keyBody(esid, victimKey)); status != http.StatusOK || answer.Challenge == "" {
				t.Fatalf("the victim's request %d: %d", i+1, status)
			}
		}

		challenges := countRows(t, s.site, "pki_challenges")
		if status, _ := s.askChallenge(t, url, secret, keyBody(esid, attackerKey)); status != http.StatusConflict {
			t.Errorf("another work profile asks in the victim's name: %d, want 409", status)
		}
		if countRows(t, s.site, "pki_challenges") != challenges {
			t.Error("the refused request got a challenge")
		}
		if e := s.lastAudit(t); e.Action != "security.certificate_key_mismatch" || e.Subject != "device:"+victim.ID {
			t.Errorf("last audit event: %s on %s, want the security event on the victim's device", e.Action, e.Subject)
		}
		key, err := s.platform.CertificateKey(ctx, s.tenant.ID, victim.ID)
		if err != nil || key.Refused != 1 || key.LastRefusedAt == nil || key.RenewalAllowed {
			t.Errorf("the device's key: %+v, %v; want one refusal", key, err)
		}

		if err := s.platform.AllowCertificateRenewal(ctx, "admin:test", s.tenant, victim.ID, "the app was reinstalled"); err != nil {
			t.Fatal(err)
		}
		if e := s.lastAudit(t); e.Action != "certificate.renewal_allow" || e.Actor != "admin:test" {
			t.Errorf("last audit event: %s by %s, want the renewal by the admin", e.Action, e.Actor)
		}
		if status, _ := s.askChallenge(t, url, secret, keyBody(esid, newKey)); status != http.StatusOK {
			t.Errorf("the renewed key: %d, want 200", status)
		}
		if status, _ := s.askChallenge(t, url, secret, keyBody(esid, victimKey)); status != http.StatusConflict {
			t.Errorf("the old key after the renewal: %d, want 409", status)
		}
		if status, _ := s.askChallenge(t, url, secret, keyBody(esid, attackerKey)); status != http.StatusConflict {
			t.Errorf("a renewal is used once; another key after it: %d, want 409", status)
		}
		other, _ := s.active(t, "new@musterstadt.de")
		if err := s.platform.AllowCertificateRenewal(ctx, "admin:test", s.tenant, other.ID, "x"); !errors.Is(err, mdm.ErrNotFound) {
			t.Errorf("a renewal for a device without a key: %v, want not found", err)
		}
	})
}

// Guessing enrolment-specific IDs is limited like guessing invitation codes: after
// MaxFailedGuesses unknown IDs from one address, that address gets 429.
func TestUnknownWorkProfilesAreThrottled(t *testing.T) {
	eachCertBackend(t, func(t *testing.T, s *certSite) {
		s.pass(storetest.ToMidWindow(s.now(), enrolment.GuessWindow))
		b := s.bind(t)
		d, _ := s.active(t, "erika.mustermann@musterstadt.de")
		if err := s.platform.EnableCertificates(context.Background(), "admin:test", s.tenant, android.CertificateSettings{}); err != nil {
			t.Fatal(err)
		}
		config := s.companionConfig(t, b.Enterprise, d)
		secret, url := config[android.ConfigBootstrapSecret], config[android.ConfigChallengeURL]
		for i := range enrolment.MaxFailedGuesses {
			if status, _ := s.askChallenge(t, url, secret, esidBody(fmt.Sprintf("ESIDGUESS%06d", i))); status != http.StatusNotFound {
				t.Fatalf("guess %d: %d, want 404", i+1, status)
			}
		}
		if status, _ := s.askChallenge(t, url, secret, esidBody("ESIDGUESSMORE")); status != http.StatusTooManyRequests {
			t.Errorf("a guess after the limit: %d, want 429", status)
		}
	})
}
