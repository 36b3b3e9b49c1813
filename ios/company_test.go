package ios_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	apple "github.com/micromdm/nanomdm/mdm"
	"github.com/micromdm/plist"
	"github.com/smallstep/pkcs7"

	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/ios/phonesim"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

// The town's iPhone, on which private use is allowed, is enrolled by account-driven Device
// Enrollment with an invitation for a company-owned phone: discovery offers it beside
// User Enrolment, the sign-in takes the company invitation, and the profile is a device
// enrolment (the simulated phone installs nothing else). The device is company-owned and
// speaks for its device channel by UDID; it tells its model, serial number, OS version and
// capacity, which are kept; IT locks it, and erases it with a reason when it is returned,
// which removes the device and revokes its certificates.
func TestACompanyOwnedIPhoneEnrolsByDeviceEnrolment(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.pushing(t)
		ph, d := s.enrolCompanyIPhone(t, "carla")
		if d.Ownership != mdm.OwnershipCompany || d.State != mdm.DeviceActive || d.PlatformID != ph.UDID() {
			t.Fatalf("device %+v, want company-owned, active, under the phone's UDID %s", d, ph.UDID())
		}

		// The phone was asked for its hardware when its enrolment completed.
		waitUntil(t, "the phone told its hardware", func() bool {
			if _, err := ph.Wake(ctx); err != nil {
				t.Fatal(err)
			}
			_, found, err := s.platform.Hardware(ctx, s.tenant.ID, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			return found && s.device(t, d.ID).Hardware.SerialNumber == ph.SerialNumber()
		})
		h, _, _ := s.platform.Hardware(ctx, s.tenant.ID, d.ID)
		if got := s.device(t, d.ID); h.Model == "" || h.CapacityGB <= 0 || got.OSVersion != "17.5" || got.Hardware.UDID != ph.UDID() {
			t.Errorf("hardware %+v, device %+v: model, capacity, OS version or UDID missing", h, got)
		}

		lock := s.orderDevice(t, d, mdm.CommandLockDevice, "the employee left it in the train")
		waitUntil(t, "the phone is locked", func() bool {
			if _, err := ph.Wake(ctx); err != nil {
				t.Fatal(err)
			}
			locked, _, _, _ := ph.State()
			return locked && s.commandState(t, d, lock) == mdm.CommandAcknowledged
		})

		if err := s.svc.WipeDevice(ctx, "admin:test", s.tenant, d.ID, "returned to IT when the employee moved to another town"); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, "the phone erased itself", func() bool {
			if _, err := ph.Wake(ctx); err != nil && !strings.Contains(err.Error(), "erased") {
				t.Fatal(err)
			}
			_, erased, _, _ := ph.State()
			return erased
		})
		if got := s.device(t, d.ID); got.State != mdm.DeviceRemoved {
			t.Errorf("after the erase the device is %s, want removed", got.State)
		}
		if st := s.commandOf(t, d, mdm.CommandWipeDevice).State; st != mdm.CommandAcknowledged {
			t.Errorf("wipe command %s, want acknowledged", st)
		}
		actions := s.auditActions(t)
		if !containsInOrder(actions, []string{string(audit.InvitationRedeem), string(audit.DeviceEnrolComplete),
			string(audit.DeviceCommand), string(audit.DeviceWipe), string(audit.DeviceRemoved)}) {
			t.Errorf("audit trail %v", actions)
		}
	})
}

// An invitation for the employee's own phone never sets up a device enrolment, and one for
// a company-owned phone never a User Enrolment: the sign-in refuses it with a page in the
// phone's language, sets nothing up, and records the refusal.
func TestAnInvitationEnrolsOnlyTheWayOfItsOwnership(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		personal := s.invite(t, "paula@mail.musterstadt.example", "paula@musterstadt.example", mdm.PlatformIOS)
		company := s.inviteOwned(t, "conrad", mdm.OwnershipCompany)
		before := s.snapshot(t)

		byDevice := phonesim.New(phonesim.Config{Server: s.url, Client: s.client(), OSVersion: "17.5", Company: true}, "paula@musterstadt.example")
		if err := byDevice.Enrol(ctx, personal); err == nil || !strings.Contains(err.Error(), "HTTP 403") {
			t.Errorf("a device enrolment with a personal invitation: %v, want the sign-in refused", err)
		}
		byUser := phonesim.New(phonesim.Config{Server: s.url, Client: s.client()}, "conrad@musterstadt.example")
		if err := byUser.Enrol(ctx, company); err == nil || !strings.Contains(err.Error(), "HTTP 403") {
			t.Errorf("a User Enrolment with a company invitation: %v, want the sign-in refused", err)
		}
		if got := s.snapshot(t); strings.SplitN(got, "audit=", 2)[0] != strings.SplitN(before, "audit=", 2)[0] {
			t.Errorf("a refused sign-in changed something:\n%s\nwas\n%s", got, before)
		}
		if refused := countOf(s.auditActions(t), string(audit.InvitationOwnershipRefused)); refused != 2 {
			t.Errorf("%d refusals on record, want 2", refused)
		}

		// The page says why, in the phone's language.
		form := "code=" + urlQuery(personal) + "&user-identifier=" + urlQuery("paula@musterstadt.example")
		req := newRequest(t, http.MethodPost, s.url+ios.PathSignInDevice, []byte(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept-Language", "en-GB")
		a := send(t, s.client(), req)
		if a.StatusCode != http.StatusForbidden || !strings.Contains(string(a.body), "This invitation is for your own iPhone") {
			t.Errorf("HTTP %d %s", a.StatusCode, a.body)
		}
		req = newRequest(t, http.MethodPost, s.url+ios.PathSignIn, []byte("code="+urlQuery(company)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if a := send(t, s.client(), req); a.StatusCode != http.StatusForbidden || !strings.Contains(string(a.body), "dienstliches iPhone") {
			t.Errorf("HTTP %d %s", a.StatusCode, a.body)
		}
	})
}

// The employee's own iPhone is never locked, erased or put in lost mode, and never tells
// its serial number or UDID: the platform refuses the commands before anything is queued,
// even when a domain command reaches it, asks nothing but the OS version, and keeps
// nothing of hardware a phone might report.
func TestThePersonalIPhoneIsNeverTreatedAsTheEmployers(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.pushing(t)
		ph := s.enrolSimulatedIPhone(t, "16.7")
		d := s.devices(t)[0]
		if d.Ownership == mdm.OwnershipCompany {
			t.Fatalf("the personal phone's device is %s", d.Ownership)
		}
		for _, kind := range []mdm.CommandKind{mdm.CommandLockDevice, mdm.CommandWipeDevice, mdm.CommandStartLostMode} {
			err := s.platform.SendCommand(ctx, s.tenant, d, mdm.Command{ID: mdm.NewID(), DeviceID: d.ID, Kind: kind, Payload: mdm.EmptyJSONObject})
			if !errors.Is(err, ios.ErrPrivateCommand) {
				t.Errorf("%s sent to the personal phone: %v, want ErrPrivateCommand", kind, err)
			}
		}
		for _, queries := range [][]string{{"SerialNumber"}, {"OSVersion", "UDID"}, {"DeviceCapacity"}, {}} {
			cmd := newQuery(t, queries)
			if _, err := s.platform.Enqueue(ctx, []string{d.PlatformID}, cmd); !errors.Is(err, ios.ErrPrivateCommand) {
				t.Errorf("DeviceInformation %v for the personal phone: %v, want ErrPrivateCommand", queries, err)
			}
		}
		if err := s.platform.QueryStatus(ctx, ios.StatusQueryJob{}); err != nil {
			t.Fatal(err)
		}
		if _, err := ph.Wake(ctx); err != nil {
			t.Fatal(err)
		}
		if _, _, _, received := ph.State(); len(received) > 0 {
			t.Errorf("the personal phone received %v", received)
		}
		s.wantNoIdentifiers(t, d)
	})
}

// wantNoIdentifiers checks that nothing identifies the hardware of the employee's own
// phone: no hardware row, no serial number or UDID in what it sent at enrolment, and its
// device known by its enrolment ID only.
func (s *site) wantNoIdentifiers(t *testing.T, d mdm.Device) {
	t.Helper()
	if _, found, err := s.platform.Hardware(context.Background(), s.tenant.ID, d.ID); err != nil || found {
		t.Errorf("hardware of the personal phone stored (%v)", err)
	}
	if h := s.device(t, d.ID).Hardware; !h.Empty() {
		t.Errorf("hardware identifiers of the personal phone stored: %+v", h)
	}
	if n := count(t, s, "ios_hardware"); n != 0 {
		t.Errorf("%d hardware rows", n)
	}
	var raw [][]byte
	if err := s.st.Tables().DB().Raw("SELECT authenticate FROM ios_devices").Scan(&raw).Error; err != nil {
		t.Fatal(err)
	}
	for _, r := range raw {
		if strings.Contains(string(r), "SerialNumber") || strings.Contains(string(r), "<key>UDID</key>") {
			t.Errorf("the personal phone's Authenticate was kept with its identifiers: %s", r)
		}
	}
}

// enrolCompanyIPhone invites the employee for a company-owned iPhone and enrols the town's
// simulated iPhone on iOS 17.5 by account-driven Device Enrollment.
func (s *site) enrolCompanyIPhone(t *testing.T, name string) (*phonesim.Phone, mdm.Device) {
	t.Helper()
	code := s.inviteOwned(t, name, mdm.OwnershipCompany)
	ph := phonesim.New(phonesim.Config{Server: s.url, Client: s.client(), OSVersion: "17.5", Company: true}, name+"@musterstadt.example")
	if err := ph.Enrol(context.Background(), code); err != nil {
		t.Fatal(err)
	}
	for _, d := range s.devices(t) {
		if d.PlatformID == ph.UDID() {
			return ph, d
		}
	}
	t.Fatalf("no device enrolled under %s", ph.UDID())
	return nil, mdm.Device{}
}

// inviteOwned invites the employee for an iPhone of the ownership, with a managed Apple
// account of the name, and returns the invitation code.
func (s *site) inviteOwned(t *testing.T, name string, o mdm.Ownership) string {
	t.Helper()
	s.pushCertificateUploaded(t)
	inv, err := s.svc.Enrolment.Invite(context.Background(), "admin:test", s.tenant, enrolment.InviteRequest{
		Email: name + "@mail.musterstadt.example", Platform: mdm.PlatformIOS, ManagedAppleID: name + "@musterstadt.example", Ownership: o})
	if err != nil {
		t.Fatalf("invite %s: %v", name, err)
	}
	return inv.Code
}

// orderDevice has IT order a command on the whole of a device, with the reason.
func (s *site) orderDevice(t *testing.T, d mdm.Device, kind mdm.CommandKind, reason string) mdm.Command {
	t.Helper()
	c, err := s.svc.CommandDevice(context.Background(), "admin:test", s.tenant, d.ID, kind, reason)
	if err != nil {
		t.Fatalf("%s: %v", kind, err)
	}
	return c
}

// commandState is where the device's command stands.
func (s *site) commandState(t *testing.T, d mdm.Device, c mdm.Command) mdm.CommandState {
	t.Helper()
	for _, got := range s.commands(t, d) {
		if got.ID == c.ID {
			return got.State
		}
	}
	t.Fatalf("no command %s", c.ID)
	return ""
}

// commandOf is the device's command of the kind.
func (s *site) commandOf(t *testing.T, d mdm.Device, kind mdm.CommandKind) mdm.Command {
	t.Helper()
	for _, got := range s.commands(t, d) {
		if got.Kind == kind {
			return got
		}
	}
	t.Fatalf("no %s command", kind)
	return mdm.Command{}
}

// commands are the device's commands.
func (s *site) commands(t *testing.T, d mdm.Device) []mdm.Command {
	t.Helper()
	cmds, err := s.st.Commands().Commands(context.Background(), s.tenant.ID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	return cmds
}

// newQuery is a DeviceInformation command with the queries.
func newQuery(t *testing.T, queries []string) *apple.Command {
	t.Helper()
	cmd := &apple.Command{CommandUUID: strings.ToUpper(randomHex(16))}
	cmd.Command.RequestType = "DeviceInformation"
	raw, err := plist.Marshal(map[string]any{"CommandUUID": cmd.CommandUUID,
		"Command": map[string]any{"RequestType": "DeviceInformation", "Queries": queries}})
	if err != nil {
		t.Fatal(err)
	}
	cmd.Raw = raw
	return cmd
}

func countOf(xs []string, x string) int {
	return len(slices.DeleteFunc(slices.Clone(xs), func(y string) bool { return y != x }))
}

// The profile of a device enrolment is one (EnrollmentMode ADDE, the employee's managed
// Apple account) and asks for the fewest rights the employer needs: never the inspection
// of installed apps (256), which would list the private ones, nor network information
// (32). The token of a company-owned phone gets no User Enrolment's profile either.
func TestTheDeviceEnrolmentAsksForTheFewestRights(t *testing.T) {
	s := newSite(t, "sqlite")
	const account = "carla@musterstadt.example"
	p := s.newPhone(account)
	code := s.inviteOwned(t, "carla", mdm.OwnershipCompany)
	form := "code=" + urlQuery(code) + "&user-identifier=" + urlQuery(account)
	req := newRequest(t, http.MethodPost, s.url+ios.PathSignInDevice, []byte(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	p.takeToken(t, send(t, p.client, req))

	if a := p.postEnrol(t, s.url+ios.PathEnrol); a.StatusCode != http.StatusForbidden {
		t.Errorf("the User Enrolment's BaseURL answered a company-owned phone's token with HTTP %d", a.StatusCode)
	}
	a := p.postEnrol(t, s.url+ios.PathEnrolDevice)
	if a.StatusCode != http.StatusOK {
		t.Fatalf("HTTP %d %s", a.StatusCode, a.body)
	}
	p7, err := pkcs7.Parse(a.body)
	if err != nil {
		t.Fatal(err)
	}
	var top struct{ PayloadContent []map[string]any }
	if err := plist.Unmarshal(p7.Content, &top); err != nil {
		t.Fatal(err)
	}
	for _, pl := range top.PayloadContent {
		if pl["PayloadType"] != "com.apple.mdm" {
			continue
		}
		rights, _ := pl["AccessRights"].(uint64)
		if pl["EnrollmentMode"] != "ADDE" || pl["AssignedManagedAppleID"] != account || rights == 0 || rights&256 != 0 || rights&32 != 0 {
			t.Errorf("MDM payload %v", pl)
		}
		return
	}
	t.Fatal("no MDM payload")
}
