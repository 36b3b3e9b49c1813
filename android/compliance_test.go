package android_test

import (
	"context"
	"crypto/x509"
	"net/http"
	"testing"
	"time"

	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/compliance"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/pki"
)

// caRevoker is the installation's CA as the domain's mdm.Certificates.
type caRevoker struct{ ca *pki.CA }

func (c caRevoker) RevokeEnrolment(ctx context.Context, tenantID, enrolmentID, reason string) (int, error) {
	return c.ca.RevokeEnrolment(ctx, pki.Identity{TenantID: tenantID, EnrolmentID: enrolmentID}, pki.ReasonCessationOfOperation, reason)
}

// inCRL reports whether the CA's CRL lists the certificate.
func inCRL(t *testing.T, ca *pki.CA, cert *x509.Certificate) bool {
	t.Helper()
	der, err := ca.CRL()
	if err != nil {
		t.Fatal(err)
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range crl.RevokedCertificateEntries {
		if e.SerialNumber.Cmp(cert.SerialNumber) == 0 {
			return true
		}
	}
	return false
}

// A work profile reports a security patch older than its work policy allows: it is
// non-compliant at once; after the grace period its certificate is revoked and in the
// CRL, and the companion app gets no new one; the employee installs the update, the
// profile reports it, complies again, and the companion app gets a new certificate.
// Nothing but the work profile is ever touched.
func TestAnOldPatchCostsTheCertificateUntilTheUpdate(t *testing.T) {
	eachCertBackend(t, func(t *testing.T, s *certSite) {
		ctx := context.Background()
		b := s.bind(t)
		push := s.localPushURL(t, b.PushURL)
		wp := mdm.WorkPolicy{ID: mdm.NewID(), Name: "Verwaltung", Version: 1, Default: true}
		if err := store.WorkPoliciesOf(s.st).CreateWorkPolicy(ctx, s.tenant.ID, &wp); err != nil {
			t.Fatal(err)
		}
		if err := s.platform.ApplyPolicy(ctx, s.tenant, wp); err != nil {
			t.Fatal(err)
		}
		d, phone := s.active(t, "erika.mustermann@musterstadt.de")
		if err := s.platform.EnableCertificates(ctx, "admin:test", s.tenant, android.CertificateSettings{}); err != nil {
			t.Fatal(err)
		}
		config := s.companionConfig(t, b.Enterprise, d)
		fetch := func() (int, *x509.Certificate) {
			status, answer := s.askChallenge(t, config[android.ConfigChallengeURL], config[android.ConfigBootstrapSecret],
				esidBody(phone.HardwareInfo.EnterpriseSpecificId))
			if status != http.StatusOK {
				return status, nil
			}
			return status, newSCEPClient(t, s.scep.URL+"/scep/devices").enrol(t, answer.Challenge)
		}
		_, first := fetch()
		if first == nil {
			t.Fatal("no first certificate")
		}
		err := s.svc.Compliance.SetPolicyRules(ctx, "admin:test", s.tenant, wp.ID, []compliance.RuleSetting{{Rule: compliance.RulePatchAge, Days: 90, GraceDays: 7,
			Consequences: []compliance.Consequence{compliance.ConsequenceNotify, compliance.ConsequenceRevoke}}})
		if err != nil {
			t.Fatal(err)
		}

		phone.SoftwareInfo.SecurityPatchLevel = time.Now().AddDate(0, -8, 0).Format("2006-01-02")
		if got := s.post(t, push, envelope(t, "old-patch", "STATUS_REPORT", phone)); got != http.StatusNoContent {
			t.Fatalf("status report: %d", got)
		}
		if a, _ := s.svc.Compliance.AccessOf(ctx, s.tenant.ID, d.ID); !a.Compliant {
			t.Fatal("access withdrawn before the grace period ended")
		}

		later := domain.New(s.st, storetest.PlainSealer{}, mdm.WithCertificates(caRevoker{s.ca}), mdm.WithPlatforms(android.Registration()),
			mdm.WithClock(func() time.Time { return time.Now().Add(8 * 24 * time.Hour) }))
		if _, err := later.Compliance.ApplyRules(ctx); err != nil {
			t.Fatal(err)
		}
		if !inCRL(t, s.ca, first) {
			t.Fatal("the certificate of the non-compliant work profile is not in the CRL")
		}
		if status, _ := fetch(); status != http.StatusForbidden {
			t.Fatalf("a non-compliant work profile asked for a new certificate: %d", status)
		}

		phone.SoftwareInfo.SecurityPatchLevel = time.Now().Format("2006-01-02")
		if got := s.post(t, push, envelope(t, "new-patch", "STATUS_REPORT", phone)); got != http.StatusNoContent {
			t.Fatalf("status report: %d", got)
		}
		if a, _ := s.svc.Compliance.AccessOf(ctx, s.tenant.ID, d.ID); !a.Compliant {
			t.Fatalf("after the update: %+v", a)
		}
		_, second := fetch()
		if second == nil || second.SerialNumber.Cmp(first.SerialNumber) == 0 || inCRL(t, s.ca, second) {
			t.Fatal("the compliant work profile got no new certificate")
		}
		cs, err := s.st.Commands().Commands(ctx, s.tenant.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if c.Kind != mdm.CommandApplyPolicy {
				t.Errorf("command %s sent for a rule whose consequence is the certificate", c.Kind)
			}
		}
	})
}

// Google's verdict on a rooted phone and an unmet work-passcode requirement arrive with
// the status report and become failures of their rules, with reasons.
func TestPostureAndPasscodeComeFromTheStatusReport(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		push := s.localPushURL(t, s.bind(t).PushURL)
		wp := mdm.WorkPolicy{ID: mdm.NewID(), Name: "Verwaltung", Version: 1, Default: true, WorkPasscodeRequired: true}
		if err := store.WorkPoliciesOf(s.st).CreateWorkPolicy(ctx, s.tenant.ID, &wp); err != nil {
			t.Fatal(err)
		}
		d, phone := s.active(t, "max@musterstadt.de")
		err := s.svc.Compliance.SetPolicyRules(ctx, "admin:test", s.tenant, wp.ID, []compliance.RuleSetting{{Rule: compliance.RuleIntegrity}, {Rule: compliance.RuleWorkPasscode}})
		if err != nil {
			t.Fatal(err)
		}
		phone.SecurityPosture = &amapi.SecurityPosture{DevicePosture: "POTENTIALLY_COMPROMISED"}
		phone.PolicyCompliant = false
		phone.NonComplianceDetails = append(phone.NonComplianceDetails, &amapi.NonComplianceDetail{SettingName: "passwordPolicies", NonComplianceReason: "USER_ACTION"})
		if got := s.post(t, push, envelope(t, "rooted", "STATUS_REPORT", phone)); got != http.StatusNoContent {
			t.Fatalf("status report: %d", got)
		}
		dc, err := s.svc.Compliance.Of(ctx, s.tenant.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range dc.Rules {
			if r.Finding != compliance.FindingFailed || r.Failure == nil || r.Remedy == "" {
				t.Errorf("rule %s: %+v", r.Rule, r)
			}
		}
		if len(dc.Rules) != 2 {
			t.Fatalf("%d rules, want 2", len(dc.Rules))
		}
	})
}
