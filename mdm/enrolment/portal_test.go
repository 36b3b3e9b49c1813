package enrolment_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

var phone = netip.MustParseAddr("203.0.113.7")

// actions returns the tenant's audit actions in order.
func actions(t *testing.T, s *store.Store, tenantID string) []audit.Event {
	t.Helper()
	var out []audit.Event
	if err := store.TrailOf(s).AuditEvents(context.Background(), tenantID, 0, func(e audit.Event) error {
		out = append(out, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func lastAction(t *testing.T, s *store.Store, tenantID string) audit.Event {
	t.Helper()
	evs := actions(t, s, tenantID)
	return evs[len(evs)-1]
}

// An employee opens the letter's link, reads the notice, acknowledges it for an Android
// phone, and comes back later to the status page, where they remove the work container.
func TestAnEmployeeEnrolsAnAndroidPhoneThroughThePortal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ca := &fakeCA{}
		svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithCertificates(ca))
		tn := storetest.Tenant(t, svc, "musterstadt")
		inv, err := svc.Enrolment.Invite(ctx, "admin:x", tn, enrolment.InviteRequest{Email: "anna@musterstadt.de", Name: "Anna"})
		if err != nil {
			t.Fatal(err)
		}

		v, err := svc.Enrolment.OpenInvitation(ctx, phone, inv.Code)
		if err != nil || v.Redeemed() || v.Acknowledged() || v.Employee.Name != "Anna" || v.Tenant.ID != tn.ID {
			t.Fatalf("first visit: %+v, %v", v, err)
		}
		if _, err := svc.Enrolment.AcceptNotice(ctx, phone, inv.Code, mdm.PlatformAndroid, "notice-000000000000"); !errors.Is(err, mdm.ErrConflict) {
			t.Fatalf("acknowledging an old notice: %v", err)
		}
		v, err = svc.Enrolment.AcceptNotice(ctx, phone, inv.Code, mdm.PlatformAndroid, mdm.NoticeVersion())
		if err != nil {
			t.Fatal(err)
		}
		if !v.Redeemed() || !v.Acknowledged() || len(v.Devices) != 1 || v.Devices[0].State != mdm.DeviceInvited || v.Devices[0].Platform != mdm.PlatformAndroid {
			t.Fatalf("after acknowledging: %+v", v)
		}
		evs := actions(t, s, tn.ID)
		ack, redeem := evs[len(evs)-2], evs[len(evs)-1]
		if ack.Action != "notice.acknowledge" || ack.At != redeem.At || redeem.Action != "invitation.redeem" ||
			!contains(ack.Details, mdm.NoticeVersion()) {
			t.Errorf("audit: %+v then %+v", ack, redeem)
		}

		// Submitting again, or coming back with the link, shows the status page.
		again, err := svc.Enrolment.AcceptNotice(ctx, phone, inv.Code, mdm.PlatformAndroid, mdm.NoticeVersion())
		if err != nil || len(again.Devices) != 1 || len(actions(t, s, tn.ID)) != len(evs) {
			t.Fatalf("second acknowledgement: %+v, %v", again, err)
		}

		other := mdm.Device{ID: mdm.NewID(), EmployeeID: mdm.NewID()}
		if err := svc.Enrolment.RemoveOwnDevice(ctx, phone, inv.Code, other.ID); !errors.Is(err, mdm.ErrNotFound) {
			t.Errorf("removing a device that is not the employee's: %v", err)
		}
		if err := svc.Enrolment.RemoveOwnDevice(ctx, phone, inv.Code, v.Devices[0].ID); err != nil {
			t.Fatal(err)
		}
		d, _ := s.Devices().Device(ctx, tn.ID, v.Devices[0].ID)
		if d.State != mdm.DeviceRemoving || len(ca.revoked) != 1 {
			t.Errorf("after removal: %s, revoked %v", d.State, ca.revoked)
		}
		var removal audit.Event
		for _, e := range actions(t, s, tn.ID) {
			if e.Action == "device.remove" {
				removal = e
			}
		}
		if removal.Actor != "employee:"+inv.Employee.ID {
			t.Errorf("removal recorded as %+v", removal)
		}

		// Once the phone confirms the removal, the link leads nowhere.
		if err := svc.ConfirmRemoval(ctx, "device:"+d.ID, tn.ID, d.ID, "gone"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Enrolment.OpenInvitation(ctx, phone, inv.Code); !errors.Is(err, enrolment.ErrInvitationGone) {
			t.Errorf("link of a removed phone: %v", err)
		}
	})
}

func contains(o audit.Details, s string) bool { return strings.Contains(string(o), s) }

// For an iPhone the acknowledgement is recorded and the code stays usable, because the
// phone redeems it itself when it signs in; an employee without a managed Apple account
// is told before anything is recorded.
func TestAnIPhoneEmployeeAcknowledgesAndKeepsTheCode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(s)
		tn := storetest.Tenant(t, svc, "musterstadt")
		without, _ := svc.Enrolment.Invite(ctx, "admin:x", tn, enrolment.InviteRequest{Email: "jo@musterstadt.de"})
		before := len(actions(t, s, tn.ID))
		if _, err := svc.Enrolment.AcceptNotice(ctx, phone, without.Code, mdm.PlatformIOS, mdm.NoticeVersion()); !errors.Is(err, enrolment.ErrNoManagedAppleID) {
			t.Fatalf("iPhone without managed Apple account: %v", err)
		}
		if len(actions(t, s, tn.ID)) != before {
			t.Error("a refused acknowledgement was recorded")
		}

		inv, _ := svc.Enrolment.Invite(ctx, "admin:x", tn, enrolment.InviteRequest{Email: "anna@musterstadt.de", Platform: mdm.PlatformIOS,
			ManagedAppleID: "anna@appleid.musterstadt.de"})
		if _, err := svc.Enrolment.AcceptNotice(ctx, phone, inv.Code, mdm.PlatformAndroid, mdm.NoticeVersion()); !errors.Is(err, enrolment.ErrWrongPlatform) {
			t.Errorf("Android with an iPhone invitation: %v", err)
		}
		v, err := svc.Enrolment.AcceptNotice(ctx, phone, inv.Code, mdm.PlatformIOS, mdm.NoticeVersion())
		if err != nil || v.Redeemed() || !v.Acknowledged() || v.Invitation.NoticeVersion != mdm.NoticeVersion() {
			t.Fatalf("%+v, %v", v, err)
		}
		if e := lastAction(t, s, tn.ID); e.Action != "notice.acknowledge" || e.Actor != "employee:"+inv.Employee.ID {
			t.Errorf("audit %+v", e)
		}
		started, err := svc.Enrolment.StartEnrolment(ctx, enrolment.EnrolmentRequest{Code: inv.Code, Platform: mdm.PlatformIOS})
		if err != nil {
			t.Fatalf("the phone's sign-in after the acknowledgement: %v", err)
		}
		v, err = svc.Enrolment.OpenInvitation(ctx, phone, inv.Code)
		if err != nil || !v.Redeemed() || len(v.Devices) != 1 || v.Devices[0].ID != started.Device.ID {
			t.Errorf("status page: %+v, %v", v, err)
		}
	})
}

// Unknown, expired, revoked and used-up codes all lead to the same answer, and an address
// that tries too many of them is told to wait for a while, but only about wrong codes: a
// good code from the same address still opens.
func TestUnusableCodesLookAlikeAndGuessingIsLimited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := testTime
		svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithClock(func() time.Time { return now }))
		tn := storetest.Tenant(t, svc, "musterstadt")
		expired, _ := svc.Enrolment.Invite(ctx, "admin:x", tn, enrolment.InviteRequest{Email: "a@musterstadt.de", Validity: time.Hour})
		revoked, _ := svc.Enrolment.Invite(ctx, "admin:x", tn, enrolment.InviteRequest{Email: "b@musterstadt.de"})
		if err := svc.Enrolment.RevokeInvitation(ctx, "admin:x", tn, revoked.Invitation.ID); err != nil {
			t.Fatal(err)
		}
		now = now.Add(2 * time.Hour)
		codes := map[string]string{"unknown": "AAAABBBBCCCCDDDDEEEEFFFFGGGGHHHH", "empty": "", "expired": expired.Code, "revoked": revoked.Code}
		for name, code := range codes {
			if _, err := svc.Enrolment.OpenInvitation(ctx, phone, code); !errors.Is(err, enrolment.ErrInvitationGone) {
				t.Errorf("%s code: %v", name, err)
			}
		}
		for range enrolment.MaxFailedGuesses - len(codes) {
			_, _ = svc.Enrolment.OpenInvitation(ctx, phone, "nope")
		}
		good, _ := svc.Enrolment.Invite(ctx, "admin:x", tn, enrolment.InviteRequest{Email: "c@musterstadt.de"})
		if _, err := svc.Enrolment.OpenInvitation(ctx, phone, good.Code); err != nil {
			t.Errorf("a good code after %d failures from the same address: %v, want it to open", enrolment.MaxFailedGuesses, err)
		}
		if _, err := svc.Enrolment.OpenInvitation(ctx, phone, "nope"); !errors.Is(err, enrolment.ErrTooManyGuesses) {
			t.Errorf("a wrong code after %d failures: %v, want ErrTooManyGuesses", enrolment.MaxFailedGuesses, err)
		}
		neighbour := netip.MustParseAddr("198.51.100.1")
		if _, err := svc.Enrolment.OpenInvitation(ctx, neighbour, "nope"); !errors.Is(err, enrolment.ErrInvitationGone) {
			t.Errorf("another address is not limited: %v", err)
		}
		now = now.Add(enrolment.GuessWindow)
		if _, err := svc.Enrolment.OpenInvitation(ctx, phone, "nope"); !errors.Is(err, enrolment.ErrInvitationGone) {
			t.Errorf("in the next window: %v, want ErrInvitationGone", err)
		}
	})
}

// Wrong codes sent all at once are each counted: of 40 from one address exactly
// MaxFailedGuesses are answered "unknown" and the rest "wait", and the count is 40.
func TestParallelGuessesAreAllCounted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(s)
		const burst = 40
		errs := make([]error, burst)
		var wg sync.WaitGroup
		for i := range burst {
			wg.Go(func() { _, errs[i] = svc.Enrolment.OpenInvitation(ctx, phone, fmt.Sprintf("WRONG%027d", i)) })
		}
		wg.Wait()
		gone, wait := 0, 0
		for i, err := range errs {
			switch {
			case errors.Is(err, enrolment.ErrTooManyGuesses):
				wait++
			case errors.Is(err, enrolment.ErrInvitationGone):
				gone++
			default:
				t.Errorf("wrong code %d: %v", i, err)
			}
		}
		if gone != enrolment.MaxFailedGuesses || wait != burst-enrolment.MaxFailedGuesses {
			t.Errorf("%d parallel wrong codes: %d answered unknown, %d wait; want %d and %d", burst, gone, wait, enrolment.MaxFailedGuesses, burst-enrolment.MaxFailedGuesses)
		}
		var counted int64
		if err := s.Tables().DB().Raw("SELECT SUM(failures) FROM code_guesses").Row().Scan(&counted); err != nil || counted != burst {
			t.Errorf("failures counted: %d, %v; want %d", counted, err, burst)
		}
	})
}

// The addresses of one IPv6 network share their guesses.
func TestIPv6NetworksShareTheirGuesses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(s)
		for i := range enrolment.MaxFailedGuesses {
			addr := netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: byte(i)})
			_, _ = svc.Enrolment.OpenInvitation(ctx, addr, "nope")
		}
		if _, err := svc.Enrolment.OpenInvitation(ctx, netip.MustParseAddr("2001:db8::ffff"), "nope"); !errors.Is(err, enrolment.ErrTooManyGuesses) {
			t.Errorf("another address of the /64: %v", err)
		}
	})
}

// IT resends an invitation: the employee gets a new code and the old one dies.
func TestResendingAndRevokingInvitations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(s)
		tn := storetest.Tenant(t, svc, "musterstadt")
		first, _ := svc.Enrolment.Invite(ctx, "admin:x", tn, enrolment.InviteRequest{Email: "anna@musterstadt.de", Platform: mdm.PlatformAndroid})
		again, err := svc.Enrolment.ResendInvitation(ctx, "admin:x", tn, "Anna@musterstadt.de")
		if err != nil {
			t.Fatal(err)
		}
		if again.Code == first.Code || again.Invitation.Platform != mdm.PlatformAndroid || again.Employee.ID != first.Employee.ID {
			t.Errorf("resent: %+v", again)
		}
		if _, err := svc.Enrolment.OpenInvitation(ctx, phone, first.Code); !errors.Is(err, enrolment.ErrInvitationGone) {
			t.Errorf("old code after resending: %v", err)
		}
		if _, err := svc.Enrolment.OpenInvitation(ctx, phone, again.Code); err != nil {
			t.Errorf("new code: %v", err)
		}
		if e := lastAction(t, s, tn.ID); e.Action != "invitation.resend" || !contains(e.Details, first.Invitation.ID) {
			t.Errorf("audit %+v", e)
		}

		if err := svc.Enrolment.RevokeInvitation(ctx, "admin:x", tn, again.Invitation.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.Enrolment.RevokeInvitation(ctx, "admin:x", tn, again.Invitation.ID); !errors.Is(err, mdm.ErrConflict) {
			t.Errorf("revoking twice: %v", err)
		}
		if _, err := svc.Enrolment.ResendInvitation(ctx, "admin:x", tn, "anna@musterstadt.de"); !errors.Is(err, mdm.ErrNotFound) {
			t.Errorf("resending without a pending invitation: %v", err)
		}
		other := storetest.Tenant(t, svc, "beispieldorf")
		if err := svc.Enrolment.RevokeInvitation(ctx, "admin:x", other, first.Invitation.ID); !errors.Is(err, mdm.ErrNotFound) {
			t.Errorf("revoking another tenant's invitation: %v", err)
		}
	})
}

// A bulk invitation is made whole or not at all.
func TestABulkInvitationIsAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(s)
		tn := storetest.Tenant(t, svc, "musterstadt")
		if _, err := svc.Enrolment.Invite(ctx, "admin:x", tn, enrolment.InviteRequest{Email: "jo@musterstadt.de", ManagedAppleID: "jo@apple.musterstadt.de"}); err != nil {
			t.Fatal(err)
		}
		before := len(actions(t, s, tn.ID))
		rows := []enrolment.InviteRow{
			{Line: 2, Request: enrolment.InviteRequest{Email: "anna@musterstadt.de"}},
			{Line: 3, Request: enrolment.InviteRequest{Email: "jo@musterstadt.de", ManagedAppleID: "other@apple.musterstadt.de"}},
		}
		_, err := svc.Enrolment.InviteMany(ctx, "admin:x", tn, rows, 0)
		var re *enrolment.RowError
		if !errors.As(err, &re) || re.Line != 3 || !errors.Is(err, mdm.ErrConflict) {
			t.Fatalf("got %v", err)
		}
		if _, err := s.Devices().EmployeeByEmail(ctx, tn.ID, "anna@musterstadt.de"); !errors.Is(err, mdm.ErrNotFound) || len(actions(t, s, tn.ID)) != before {
			t.Error("a refused bulk invitation left something behind")
		}
		rows[1].Request.ManagedAppleID = ""
		made, err := svc.Enrolment.InviteMany(ctx, "admin:x", tn, rows, 3*24*time.Hour)
		if err != nil || len(made) != 2 || made[0].Code == made[1].Code {
			t.Fatalf("%+v, %v", made, err)
		}
		if got := made[0].Invitation.ExpiresAt.Sub(made[0].Invitation.CreatedAt); got != 3*24*time.Hour {
			t.Errorf("validity %s", got)
		}
	})
}

// The tenant names the employer as employees know it, who runs the service and whom to
// ask; the portal shows them. A name without the employer keeps the one it has.
func TestTenantContacts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(s)
		tn := storetest.Tenant(t, svc, "musterstadt")
		if _, err := svc.Enrolment.SetTenantContacts(ctx, "cli:root", tn, enrolment.Contacts{Operator: "KommunalIT Nord"}); !errors.Is(err, mdm.ErrInvalid) {
			t.Errorf("empty contact: %v", err)
		}
		if _, err := svc.Enrolment.SetTenantContacts(ctx, "cli:root", tn, enrolment.Contacts{Employer: " Stadt Musterstadt ", Operator: " KommunalIT Nord ", PrivacyContact: "Datenschutz, datenschutz@musterstadt.de"}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Tenants().TenantByID(ctx, tn.ID)
		if err != nil || got.DisplayName != "Stadt Musterstadt" || got.OperatorName != "KommunalIT Nord" || got.PrivacyContact != "Datenschutz, datenschutz@musterstadt.de" {
			t.Errorf("%+v, %v", got, err)
		}
		if e := lastAction(t, s, tn.ID); e.Action != "tenant.contacts" || !strings.Contains(string(e.Details), `"employer":"Stadt Musterstadt"`) {
			t.Errorf("audit %+v", e)
		}
		if got, err = svc.Enrolment.SetTenantContacts(ctx, "cli:root", got, enrolment.Contacts{PrivacyContact: "Datenschutz"}); err != nil || got.DisplayName != "Stadt Musterstadt" {
			t.Errorf("without the employer: %+v, %v", got, err)
		}
		if _, err := svc.Enrolment.SetTenantContacts(ctx, "cli:root", got, enrolment.Contacts{Employer: strings.Repeat("x", 201), PrivacyContact: "Datenschutz"}); !errors.Is(err, mdm.ErrInvalid) {
			t.Errorf("a name of 201 characters: %v", err)
		}
	})
}

// The invitation writes of the portal and the mail job never reach another tenant's rows.
func TestInvitationLifecycleStaysInItsTenant(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(s)
		a := populate(t, svc, "musterstadt")
		b := populate(t, svc, "beispieldorf")
		if err := store.EnrolmentOf(s).AcknowledgeInvitation(ctx, b.tenant.ID, a.invitation.ID, mdm.NoticeVersion(), testTime); !errors.Is(err, mdm.ErrNotFound) {
			t.Errorf("acknowledge another tenant's invitation: %v", err)
		}
		if err := store.EnrolmentOf(s).MarkInvitationMailed(ctx, b.tenant.ID, a.invitation.ID, testTime); !errors.Is(err, mdm.ErrNotFound) {
			t.Errorf("mark another tenant's invitation mailed: %v", err)
		}
		if got, err := store.EnrolmentOf(s).PendingInvitations(ctx, b.tenant.ID, a.employee.ID, testTime); err != nil || len(got) != 0 {
			t.Errorf("pending invitations of another tenant's employee: %v, %v", got, err)
		}
		inv, _ := store.EnrolmentOf(s).Invitation(ctx, a.tenant.ID, a.invitation.ID)
		if inv.AcknowledgedAt != nil || inv.MailedAt != nil {
			t.Errorf("another tenant changed the invitation: %+v", inv)
		}
	})
}
