package ios_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/compliance"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
)

// reportFacts sends a command answer carrying the phone's facts (a DeviceInformation or
// SecurityInfo answer) and returns the HTTP status.
func (p *phone) reportFacts(t testing.TB, facts map[string]any) int {
	t.Helper()
	msg := map[string]any{"EnrollmentID": p.enrollmentID, "Status": "Acknowledged", "CommandUUID": "facts-" + randomHex(4)}
	for k, v := range facts {
		msg[k] = v
	}
	status, _ := p.exchange(t, p.transport.DoReportResultsAndFetchNext, msg)
	return status
}

// An iPhone on iOS 17.6 enrols where iOS 18.4 is the minimum: its Authenticate check-in
// tells the version; the employee is told to update to iOS 18.4; after the grace period
// its work access is refused at the conditional-access endpoint, while its MDM identity
// stays valid and it keeps talking to the server (it can still be told to remove the work
// area), and nothing is sent to the phone, least of all a wipe. It updates, answers
// DeviceInformation with 18.4, and has its access back.
func TestAnOldIPhoneIsToldAndLosesWorkAccessUntilItUpdates(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		p := s.certified(t, "erika")
		auth := map[string]any{"MessageType": "Authenticate", "EnrollmentID": p.enrollmentID, "Topic": testTopic, "OSVersion": "17.6"}
		if status := p.checkIn(t, auth); status != http.StatusOK {
			t.Fatalf("Authenticate: HTTP %d", status)
		}
		if status := p.checkIn(t, p.tokenUpdateMessage()); status != http.StatusOK {
			t.Fatalf("TokenUpdate: HTTP %d", status)
		}
		d := s.devices(t)[0]
		if d.OSVersion != "17.6" || d.State != mdm.DeviceActive {
			t.Fatalf("device after enrolment: %s %s", d.State, d.OSVersion)
		}
		policy := mdm.WorkPolicy{ID: mdm.NewID(), Name: "Verwaltung", Version: 1}
		if d.WorkPolicyID != nil {
			policy.ID = *d.WorkPolicyID
		} else if err := store.WorkPoliciesOf(s.st).CreateWorkPolicy(ctx, s.tenant.ID, &policy); err != nil {
			t.Fatal(err)
		} else if err := store.WorkPoliciesOf(s.st).SetDefaultWorkPolicy(ctx, s.tenant.ID, policy.ID); err != nil {
			t.Fatal(err)
		}
		rules := []compliance.RuleSetting{{Rule: compliance.RuleIOSVersion, MinVersion: "18.4", GraceDays: 5,
			Consequences: []compliance.Consequence{compliance.ConsequenceNotify, compliance.ConsequenceRevoke, compliance.ConsequenceLock}}}
		if err := s.svc.Compliance.SetPolicyRules(ctx, "admin:test", s.tenant, policy.ID, rules); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		svc := domain.New(s.st, testMasterKey(t), mdm.WithCertificates(siteCertificates{s}), mdm.WithNoticeMail(),
			mdm.WithClock(func() time.Time { return now }))
		if _, err := svc.Compliance.ApplyRules(ctx); err != nil {
			t.Fatal(err)
		}
		dc, err := svc.Compliance.Of(ctx, s.tenant.ID, d.ID)
		if err != nil || len(dc.Rules) != 1 || dc.Rules[0].Failure == nil {
			t.Fatalf("compliance %+v %v", dc, err)
		}
		var mails []string
		job := compliance.MailJob{TenantID: s.tenant.ID, DeviceID: d.ID, Rule: compliance.RuleIOSVersion, Since: dc.Rules[0].Failure.Since}
		err = svc.Compliance.SendMail(ctx, job, func(_ context.Context, n compliance.Notice) error {
			_, text := n.Message()
			mails = append(mails, n.Employee.Email+"\n"+text)
			return nil
		})
		if err != nil || len(mails) != 1 || !strings.Contains(mails[0], "erika@mail.musterstadt.example") || !strings.Contains(mails[0], "update to iOS 18.4") {
			t.Fatalf("the employee was not told what to do: %q %v", mails, err)
		}

		now = now.Add(6 * 24 * time.Hour)
		if _, err := svc.Compliance.ApplyRules(ctx); err != nil {
			t.Fatal(err)
		}
		if a, _ := svc.Compliance.AccessOf(ctx, s.tenant.ID, d.ID); a.Compliant {
			t.Fatal("the old iPhone keeps its work access after the grace period")
		}
		certs, err := s.ca.Certificates(ctx, s.tenant.ID, d.ID)
		if err != nil || len(certs) == 0 {
			t.Fatalf("certificates %v %v", certs, err)
		}
		for _, c := range certs {
			if c.Revoked {
				t.Fatal("the iPhone's MDM identity was revoked: it could no longer receive its own removal")
			}
		}
		cmds, err := s.st.Commands().Commands(ctx, s.tenant.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cmds {
			if c.Kind != mdm.CommandApplyPolicy && c.Kind != mdm.CommandQueryWorkApps {
				t.Errorf("command %s was sent to the iPhone for a compliance rule", c.Kind)
			}
		}

		if status := p.reportFacts(t, map[string]any{"QueryResponses": map[string]any{"OSVersion": "18.4"}}); status != http.StatusOK {
			t.Fatalf("DeviceInformation answer: HTTP %d", status)
		}
		if a, _ := svc.Compliance.AccessOf(ctx, s.tenant.ID, d.ID); !a.Compliant {
			t.Fatalf("after the update: %+v", a)
		}
	})
}
