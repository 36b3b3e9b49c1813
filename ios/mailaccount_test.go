package ios_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	apple "github.com/micromdm/nanomdm/mdm"

	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/ios/ddm"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/pki"
)

// exchangePolicy is the tenant's default policy with an Exchange account as its work mail.
func (s *site) exchangePolicy(t testing.TB) mdm.WorkPolicy {
	t.Helper()
	policy, err := s.svc.WorkPolicy.CreateWorkPolicy(context.Background(), "admin:test", s.tenant, mdm.WorkPolicy{Name: "Verwaltung", Default: true,
		Mail: mdm.MailAccount{Kind: mdm.MailExchange, Name: "Rathaus", Host: "mail.musterstadt.de"}})
	if err != nil {
		t.Fatal(err)
	}
	return policy
}

// Simone's iPhone on iOS 18.1 gets the policy's Exchange account with her address and a
// certificate of the CA for it: the phone takes the account and its assets, fetches the
// SCEP document of the certificate asset and gets the certificate with its challenge,
// which names her enrolment. The challenge works once: presented again it is refused.
// Saving the policy unchanged sends the phone nothing; renaming the account makes it fetch
// the account's declaration alone, and it keeps its certificate. Removing the device
// revokes the mail certificate with the device's own.
func TestTheWorkMailAccountGetsItsCertificateOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.pushing(t)
		policy := s.exchangePolicy(t)
		ph := s.enrolSimulatedIPhone(t, "18.1")
		wake := func(what string, ok func() bool) {
			t.Helper()
			waitUntil(t, what, func() bool {
				if _, err := ph.Wake(ctx); err != nil {
					t.Fatal(err)
				}
				return ok()
			})
		}
		wake("the phone got its mail certificate", func() bool { return len(ph.AssetIdentities()) == 1 })
		held := map[string]bool{}
		for _, d := range ph.Declarations() {
			held[d.Identifier] = true
			if !d.Active || !d.Valid {
				t.Errorf("the phone did not apply %s %s: %v", d.Kind, d.Identifier, d.Reasons)
			}
		}
		for _, id := range []string{ddm.MailIdentifier, ddm.MailUserIdentifier, ddm.MailIdentityIdentifier} {
			if !held[id] {
				t.Errorf("the phone holds no %s", id)
			}
		}
		d := s.devices(t)[0]
		mailCert := ph.AssetIdentities()[ddm.MailIdentityIdentifier]
		want := pki.Identity{TenantID: d.TenantID, EnrolmentID: d.ID}.URI()
		if uris := mailCert.Certificate.URIs; len(uris) != 1 || uris[0].String() != want {
			t.Errorf("the mail certificate names %v, want %s", uris, want)
		}
		if _, err := ph.RequestCertificate(ctx, mailCert.SCEPURL, mailCert.Challenge); err == nil {
			t.Error("the mail certificate's challenge was taken a second time")
		}

		syncs := ph.DDM().Syncs
		done, _ := ph.Commands()
		policy.Description = "only the description changes"
		policy, err := s.svc.WorkPolicy.UpdateWorkPolicy(ctx, "admin:test", s.tenant, policy)
		if err != nil {
			t.Fatal(err)
		}
		policy.Mail.Name = "Rathaus Musterstadt"
		if _, err := s.svc.WorkPolicy.UpdateWorkPolicy(ctx, "admin:test", s.tenant, policy); err != nil {
			t.Fatal(err)
		}
		s.policiesApplied(t)
		wake("the phone synced the renamed account", func() bool { return ph.DDM().Syncs > syncs })
		if n, _ := ph.Commands(); n != done+1 {
			t.Errorf("the two changes sent the phone %d commands, want 1: the unchanged policy must send nothing", n-done)
		}
		if n := ph.DDM().LastFetched; n != 1 {
			t.Errorf("after the rename the phone fetched %d declarations, want 1 (the account)", n)
		}
		if again := ph.AssetIdentities()[ddm.MailIdentityIdentifier]; again.Challenge != mailCert.Challenge {
			t.Error("the rename made the phone request another certificate")
		}

		if err := s.svc.RemoveDevice(ctx, "admin:test", s.tenant, d.ID, "left the town hall"); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, "the mail certificate is revoked", func() bool {
			info, err := s.ca.Certificate(ctx, mailCert.Certificate.SerialNumber.String())
			if err != nil {
				t.Fatal(err)
			}
			return info.Revoked
		})
	})
}

// The SCEP document of the mail certificate is served only to a phone that authenticates
// as for MDM (its token and an Mdm-Signature by its certificate) and whose set holds the
// certificate asset: without the signature it is refused, and a phone whose policy has no
// Exchange account finds nothing.
func TestTheMailCertificateDocumentIsTheEnrolmentsAlone(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.pushing(t)
		if _, err := s.svc.WorkPolicy.CreateWorkPolicy(ctx, "admin:test", s.tenant, mdm.WorkPolicy{Name: "Bauhof", Default: true,
			Mail: mdm.MailAccount{Kind: mdm.MailIMAP, Name: "Bauhof", Host: "imap.musterstadt.de"}}); err != nil {
			t.Fatal(err)
		}
		p := s.enrolledOn(t, "erika", "17.4")
		for cmd := p.waitCommand(t); cmd != nil; cmd = p.next(t, "Acknowledged", cmd.CommandUUID) {
		}
		fetch := func(signed bool) int {
			t.Helper()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url+ios.PathMailIdentity, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+p.token)
			if signed {
				sig, err := p.transport.SignMessage(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Mdm-Signature", sig)
			}
			resp, err := p.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		if status := fetch(false); status != http.StatusBadRequest {
			t.Errorf("without its signature: HTTP %d, want 400", status)
		}
		if status := fetch(true); status != http.StatusNotFound {
			t.Errorf("an IMAP account has no certificate to fetch: HTTP %d, want 404", status)
		}
	})
}

// policiesApplied waits until every job that applies a policy has run.
func (s *site) policiesApplied(t testing.TB) {
	t.Helper()
	waitUntil(t, "the policy jobs are done", func() bool {
		var n int64
		err := s.st.Tables().DB().Table("river_job").Where("kind = ? AND state IN ?", "mdm_apply_policy",
			[]string{"available", "running", "scheduled", "retryable"}).Count(&n).Error
		if err != nil {
			t.Fatal(err)
		}
		return n == 0
	})
}

// With a work mail account, each employee's phone follows a set of its own that names the
// employee's own address; a change of the account still queues one command for both
// phones, without tokens, since each asks for those of its own set, and each fetches the
// account's declaration alone.
func TestEachEmployeesPhoneGetsItsOwnAddress(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.pushing(t)
		policy := s.exchangePolicy(t)
		phones, held := s.twoDeclarativePhones(t)
		for i, p := range phones {
			var user struct{ EmailAddress string }
			want := strings.Replace(p.account, "@", "@mail.", 1)
			if err := json.Unmarshal(held[i][ddm.MailUserIdentifier].Payload, &user); err != nil || user.EmailAddress != want {
				t.Errorf("phone %d: user identity %s (%v), want the address %s", i, held[i][ddm.MailUserIdentifier].Payload, err, want)
			}
		}

		policy.Mail.Host = "exchange.musterstadt.de"
		if _, err := s.svc.WorkPolicy.UpdateWorkPolicy(ctx, "admin:test", s.tenant, policy); err != nil {
			t.Fatal(err)
		}
		var uuids []string
		for i, p := range phones {
			cmd := p.waitCommand(t)
			if cmd.Command.RequestType != "DeclarativeManagement" || len(cmd.Command.Data) != 0 {
				t.Fatalf("phone %d got %s with tokens %q, want DeclarativeManagement without", i, cmd.Command.RequestType, cmd.Command.Data)
			}
			uuids = append(uuids, cmd.CommandUUID)
			if next := p.next(t, "Acknowledged", cmd.CommandUUID); next != nil {
				t.Fatalf("phone %d got a second command %s", i, next.Command.RequestType)
			}
			if fetched := p.sync(t, held[i]); !slices.Equal(fetched, []string{ddm.MailIdentifier}) {
				t.Errorf("phone %d fetched %v, want the account alone", i, fetched)
			}
		}
		if uuids[0] != uuids[1] {
			t.Errorf("the change queued two commands %v, want one for both phones", uuids)
		}
	})
}

// A set with a work mail account names its employee: when a removed phone's retention
// ends, the sets no enrolment follows any more go with it, not only with the tenant's next
// assignment.
func TestRetentionForgetsTheSetThatNamesTheEmployee(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.pushing(t)
		s.exchangePolicy(t)
		p := s.enrolledOn(t, "erika", "17.4")
		for cmd := p.waitCommand(t); cmd != nil; cmd = p.next(t, "Acknowledged", cmd.CommandUUID) {
		}
		d := s.deviceOf(t, p)
		if err := s.svc.RemoveDevice(ctx, "admin:test", s.tenant, d.ID, "left the town hall"); err != nil {
			t.Fatal(err)
		}
		if status := p.checkIn(t, &apple.CheckOut{Enrollment: p.enrollment(), MessageType: apple.MessageType{MessageType: "CheckOut"}}); status != http.StatusOK {
			t.Fatalf("CheckOut: HTTP %d", status)
		}
		sets := func() int64 {
			t.Helper()
			var n int64
			if err := s.st.Tables().DB().Table("ios_ddm_sets").Where("tenant_id = ?", s.tenant.ID).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		// The set was last assigned long before the retention ends.
		if err := s.st.Tables().DB().Exec("UPDATE ios_ddm_sets SET created_at = ? WHERE tenant_id = ?", time.Now().Add(-48*time.Hour).UTC(), s.tenant.ID).Error; err != nil {
			t.Fatal(err)
		}
		if sets() == 0 {
			t.Fatal("no set before retention ends; the test would prove nothing")
		}
		s.retentionEnds(t)
		if n := sets(); n != 0 {
			t.Errorf("after retention %d sets are kept", n)
		}
	})
}
