package ldap_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/directory"
	"github.com/trennwand/trennwand/mdm/directory/ldap"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// The test directory of scripts/ldap: Musterstadt laid out like an Active Directory.
const (
	base       = "dc=musterstadt,dc=example"
	people     = 2103 // 2,100 employees, Anna, Ben and Clara (disabled)
	kitaPeople = 211  // every tenth employee, and Ben
)

// testDirectory returns the settings that read the test directory, and a connection
// as its administrator to change it; it skips when scripts/test started none.
func testDirectory(t *testing.T) (directory.Config, *ldapv3.Conn) {
	t.Helper()
	url := os.Getenv("TRENNWAND_TEST_LDAP")
	if url == "" {
		t.Skip("TRENNWAND_TEST_LDAP is not set: scripts/test starts a throw-away slapd")
	}
	admin, err := ldapv3.DialURL(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	if err := admin.Bind("cn=admin,"+base, "admin-secret"); err != nil {
		t.Fatal(err)
	}
	cfg := directory.Config{LDAPURL: url, BindDN: "cn=sync,ou=service," + base, BaseDN: base,
		UserFilter: "(objectClass=user)", IDAttr: "entryUUID", GraceDays: 14}
	return cfg, admin
}

// change sets a person's group and whether their account is disabled, as IT does in
// the directory.
func change(t *testing.T, admin *ldapv3.Conn, uid, group string, disabled bool) {
	t.Helper()
	uac := "512"
	if disabled {
		uac = "514"
	}
	m := ldapv3.NewModifyRequest("uid="+uid+",ou=people,"+base, nil)
	m.Replace("memberOf", []string{"cn=" + group + ",ou=groups," + base})
	m.Replace("userAccountControl", []string{uac})
	if err := admin.Modify(m); err != nil {
		t.Fatalf("change %s: %v", uid, err)
	}
}

// A town's Active Directory read end to end: the first sync takes in 2,102 people over
// pages (the service account gets at most 500 entries per search otherwise) and invites
// the Kita's members; Anna moves to the Kita and her iPhone follows; Anna is disabled:
// her invitation is revoked at once and, 14 days later on the service's clock, her work
// container is removed and her certificate revoked.
func TestSyncFromActiveDirectory(t *testing.T) {
	cfg, admin := testDirectory(t)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		change(t, admin, "anna", "Verwaltung", false)
		change(t, admin, "ben", "Kita", false)
		change(t, admin, "clara", "Verwaltung", true)
		clock := &storetest.Clock{T: storetest.WorldTime}
		revoked := 0
		svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithClock(clock.Now),
			mdm.WithCertificates(certs(func() { revoked++ })))
		svc.Directory.UseSource(ldap.New())
		w := storetest.Populate(t, s, svc, "musterstadt", storetest.WorldTime)
		kita := mdm.WorkPolicy{ID: mdm.NewID(), Name: "Kita", CreatedAt: storetest.WorldTime, UpdatedAt: storetest.WorldTime}
		if err := store.WorkPoliciesOf(s).CreateWorkPolicy(ctx, w.Tenant.ID, &kita); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Directory.SetConfig(ctx, "cli:root", w.Tenant, cfg, "not-the-password"); !errors.Is(err, mdm.ErrInvalid) {
			t.Fatalf("a wrong bind password was accepted: %v", err)
		}
		if _, err := svc.Directory.SetConfig(ctx, "cli:root", w.Tenant, cfg, "sync-secret"); err != nil {
			t.Fatal(err)
		}
		rules := []directory.Rule{{GroupName: "Kita", PolicyID: kita.ID, AutoInvite: true}, {GroupName: "Verwaltung", PolicyID: w.Policy.ID}}
		if _, err := svc.Directory.SetRules(ctx, "cli:root", w.Tenant, rules); err != nil {
			t.Fatal(err)
		}
		sync := func() directory.Result {
			t.Helper()
			r, err := svc.Directory.Sync(ctx, "cli:root", w.Tenant, false)
			if err != nil || len(r.Failed)+len(r.Skipped) > 0 {
				t.Fatalf("sync: %v, failed %v, skipped %v", err, r.Failed, r.Skipped)
			}
			return r
		}

		r := sync()
		invited := 0
		for _, j := range r.Joiners {
			if j.Invited {
				invited++
			}
		}
		if len(r.Joiners) != people-1 || invited != kitaPeople {
			t.Fatalf("first sync: %d joiners with %d invited, want %d with %d", len(r.Joiners), invited, people-1, kitaPeople)
		}
		if n := storetest.Count(t, s, "invitations i JOIN employees e ON e.id = i.employee_id", "e.email = ?", "ben@musterstadt.example"); n != 1 {
			t.Fatalf("Ben has %d invitations, want 1", n)
		}
		if again := sync(); len(again.Joiners)+len(again.Movers)+len(again.Leavers) != 0 {
			t.Fatalf("nothing changed, yet the sync did %d/%d/%d", len(again.Joiners), len(again.Movers), len(again.Leavers))
		}

		change(t, admin, "anna", "Kita", false)
		if r := sync(); len(r.Movers) != 1 || r.Movers[0].DeviceID != w.Device.ID {
			t.Fatalf("mover: %+v", r.Movers)
		}
		if d, _ := s.Devices().Device(ctx, w.Tenant.ID, w.Device.ID); *d.WorkPolicyID != kita.ID {
			t.Fatalf("Anna's iPhone is on %s, want the Kita's policy", *d.WorkPolicyID)
		}

		change(t, admin, "anna", "Kita", true)
		if r := sync(); len(r.Leavers) != 1 || r.Leavers[0].Email != "anna@musterstadt.example" {
			t.Fatalf("leaver: %+v", r.Leavers)
		}
		if inv, _ := store.EnrolmentOf(s).Invitation(ctx, w.Tenant.ID, w.Invitation.ID); inv.RevokedAt == nil {
			t.Fatal("the leaver's invitation is not revoked")
		}
		clock.Advance(15 * 24 * time.Hour)
		if n, err := svc.Directory.RemoveLeavers(ctx); err != nil || n != 1 {
			t.Fatalf("after the grace period: %d (%v)", n, err)
		}
		if d, _ := s.Devices().Device(ctx, w.Tenant.ID, w.Device.ID); d.State != mdm.DeviceRemoving || revoked != 1 {
			t.Fatalf("Anna's iPhone is %s with %d revocations, want removing with 1", d.State, revoked)
		}
	})
}

// certs is a CA that counts revocations.
type certs func()

func (c certs) RevokeEnrolment(context.Context, string, string, string) (int, error) {
	c()
	return 1, nil
}
