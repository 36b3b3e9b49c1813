package ios_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	apple "github.com/micromdm/nanomdm/mdm"
	"github.com/micromdm/plist"

	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/mdm"
)

// mailApp is the work policy's mail app with its managed configuration.
const mailApp = "de.musterstadt.mail"

// sentCommand is a command as the phone reads it.
type sentCommand struct {
	CommandUUID string
	Command     struct {
		RequestType   string
		Identifier    string
		Options       struct{ PurchaseMethod int }
		Configuration map[string]any
		Settings      []struct {
			Item          string
			Identifier    string
			Configuration map[string]any
		}
		Data []byte // a DeclarativeManagement command's tokens
	}
}

// next has the phone check in (as after a push) and returns the command it gets; nil for
// none.
func (p *phone) next(t *testing.T, status, uuid string) *sentCommand {
	t.Helper()
	code, cmd := p.report(t, status, uuid)
	if code != http.StatusOK {
		t.Fatalf("report %s: HTTP %d", status, code)
	}
	if cmd == nil {
		return nil
	}
	var got sentCommand
	if err := plist.Unmarshal(cmd.Raw, &got); err != nil {
		t.Fatal(err)
	}
	return &got
}

// waitCommand lets the phone check in until a command arrives (the dispatcher's job may
// still be on its way).
func (p *phone) waitCommand(t *testing.T) *sentCommand {
	t.Helper()
	var got *sentCommand
	waitUntil(t, "a command for the phone", func() bool {
		got = p.next(t, "Idle", "")
		return got != nil
	})
	return got
}

func (s *site) workApps(t *testing.T, d mdm.Device) map[string]storage.WorkApp {
	t.Helper()
	apps, err := s.nano.DeviceWorkApps(context.Background(), s.tenant.ID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]storage.WorkApp{}
	for _, a := range apps {
		out[a.BundleID] = a
	}
	return out
}

func (s *site) deviceOf(t testing.TB, p *phone) mdm.Device {
	t.Helper()
	for _, d := range s.devices(t) {
		if d.PlatformID == p.enrollmentID {
			return d
		}
	}
	t.Fatalf("no device for enrolment %s", p.enrollmentID)
	return mdm.Device{}
}

func TestTheWorkPolicyPutsItsAppsOnTheIPhone(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		fake := s.pushing(t)
		policy, err := s.svc.WorkPolicy.CreateWorkPolicy(ctx, "admin:test", s.tenant, mdm.WorkPolicy{Name: "Verwaltung",
			Apps: []mdm.AppAssignment{
				{Platform: mdm.PlatformIOS, AppID: mailApp, InstallType: mdm.InstallRequired, ManagedConfig: `{"server":"mail.musterstadt.de","port":993}`},
				{Platform: mdm.PlatformIOS, AppID: "de.musterstadt.intranet", InstallType: mdm.InstallAvailable, ManagedConfig: `{}`},
				{Platform: mdm.PlatformAndroid, AppID: "de.musterstadt.mail", InstallType: mdm.InstallRequired, ManagedConfig: `{}`},
			}})
		if err != nil {
			t.Fatal(err)
		}
		p := s.enrolled(t, "erika")
		d := s.deviceOf(t, p)

		// Enrolled, the phone is pushed and gets the required iOS app with its configuration.
		waitUntil(t, "the phone was pushed", func() bool { return fake.Count() > 0 })
		install := p.waitCommand(t)
		c := install.Command
		if c.RequestType != "InstallApplication" || c.Identifier != mailApp || c.Options.PurchaseMethod != 1 ||
			c.Configuration["server"] != "mail.musterstadt.de" || c.Configuration["port"] != uint64(993) {
			t.Fatalf("first command %+v; want InstallApplication of %s with PurchaseMethod 1 and the configuration", c, mailApp)
		}
		if next := p.next(t, "Acknowledged", install.CommandUUID); next != nil {
			t.Fatalf("after the install the phone got %s; the available and Android apps must not be sent", next.Command.RequestType)
		}
		if a := s.workApps(t, d)[mailApp]; a.State != storage.AppInstalled {
			t.Fatalf("work app %+v, want installed", a)
		}

		// Only the configuration changes: a Settings command, no new installation.
		policy.Apps[0].ManagedConfig = `{"server":"mail2.musterstadt.de","port":993}`
		if policy, err = s.svc.WorkPolicy.UpdateWorkPolicy(ctx, "admin:test", s.tenant, policy); err != nil {
			t.Fatal(err)
		}
		settings := p.waitCommand(t)
		if settings.Command.RequestType != "Settings" || len(settings.Command.Settings) != 1 ||
			settings.Command.Settings[0].Item != "ApplicationConfiguration" || settings.Command.Settings[0].Identifier != mailApp ||
			settings.Command.Settings[0].Configuration["server"] != "mail2.musterstadt.de" {
			t.Fatalf("after a configuration change the phone got %+v", settings.Command)
		}
		p.next(t, "Acknowledged", settings.CommandUUID)

		// The app leaves the policy: it is removed from the phone.
		policy.Apps = policy.Apps[1:]
		if _, err = s.svc.WorkPolicy.UpdateWorkPolicy(ctx, "admin:test", s.tenant, policy); err != nil {
			t.Fatal(err)
		}
		remove := p.waitCommand(t)
		if remove.Command.RequestType != "RemoveApplication" || remove.Command.Identifier != mailApp {
			t.Fatalf("after the app left the policy the phone got %+v", remove.Command)
		}
		p.next(t, "Acknowledged", remove.CommandUUID)
		if apps := s.workApps(t, d); len(apps) != 0 {
			t.Fatalf("work apps after the removal: %+v", apps)
		}
	})
}

func TestAFailedInstallationIsShownAndTriedAgain(t *testing.T) {
	s := newSite(t, "sqlite")
	ctx := context.Background()
	s.pushing(t)
	policy, err := s.svc.WorkPolicy.CreateWorkPolicy(ctx, "admin:test", s.tenant, mdm.WorkPolicy{Name: "Verwaltung",
		Apps: []mdm.AppAssignment{{Platform: mdm.PlatformIOS, AppID: mailApp, InstallType: mdm.InstallRequired, ManagedConfig: `{}`}}})
	if err != nil {
		t.Fatal(err)
	}
	p := s.enrolled(t, "erika")
	d := s.deviceOf(t, p)
	install := p.waitCommand(t)
	body, err := plist.Marshal(map[string]any{"UDID": "", "EnrollmentID": p.enrollmentID, "Status": "Error",
		"CommandUUID": install.CommandUUID, "RejectionReason": "PurchaseMethodNotSupported"})
	if err != nil {
		t.Fatal(err)
	}
	if code := p.reportRaw(t, body); code != http.StatusOK {
		t.Fatalf("error report: HTTP %d", code)
	}
	a := s.workApps(t, d)[mailApp]
	if a.State != storage.AppFailed || !strings.Contains(a.Error, "PurchaseMethodNotSupported") {
		t.Fatalf("work app after the error %+v, want failed with the reason", a)
	}
	// The next application of the policy (a licence was bought) installs it again.
	if _, err := s.svc.WorkPolicy.UpdateWorkPolicy(ctx, "admin:test", s.tenant, policy); err != nil {
		t.Fatal(err)
	}
	if again := p.waitCommand(t); again.Command.RequestType != "InstallApplication" || again.CommandUUID == install.CommandUUID {
		t.Fatalf("after the policy was applied again the phone got %+v", again)
	}
}

func TestWhatIPhonesCannotDoIsRefusedAndRemovalRemovesOnlyTheEnrolment(t *testing.T) {
	s := newSite(t, "sqlite")
	ctx := context.Background()
	s.pushing(t)
	p := s.enrolled(t, "erika")
	d := s.deviceOf(t, p)
	// The core refuses the lock, because iPhones do not register that they can; the
	// driver would refuse it all the same.
	if _, err := s.svc.CommandDevice(ctx, "admin:test", s.tenant, d.ID, mdm.CommandLockWork, "phone lost"); !errors.Is(err, mdm.ErrInvalid) {
		t.Fatalf("a lock of an iPhone's work container was accepted: %v", err)
	}
	lock := mdm.Command{ID: mdm.NewID(), DeviceID: d.ID, Kind: mdm.CommandLockWork, Payload: mdm.EmptyJSONObject, State: mdm.CommandQueued}
	if err := s.platform.SendCommand(ctx, s.tenant, d, lock); !errors.Is(err, mdm.ErrInvalid) || !strings.Contains(err.Error(), "User Enrolment") {
		t.Fatalf("the iPhone driver sent a lock: %v", err)
	}
	if err := s.svc.RemoveDevice(ctx, "admin:test", s.tenant, d.ID, "left the town hall"); err != nil {
		t.Fatal(err)
	}
	remove := p.waitCommand(t)
	if remove.Command.RequestType != "RemoveProfile" || remove.Command.Identifier != "1.0.0.127.trennwand.enrolment" {
		t.Fatalf("removal sent %+v; want RemoveProfile of the enrolment profile", remove.Command)
	}
	// Its certificate was revoked with the removal; it served only to fetch the removal.
	p.next(t, "Acknowledged", remove.CommandUUID)
	if status := p.checkIn(t, &apple.CheckOut{Enrollment: p.enrollment(), MessageType: apple.MessageType{MessageType: "CheckOut"}}); status != http.StatusOK {
		t.Fatalf("CheckOut: HTTP %d", status)
	}
	if got := s.device(t, d.ID); got.State != mdm.DeviceRemoved {
		t.Fatalf("after the check-out the device is %s", got.State)
	}
	if code, _ := p.report(t, "Idle", ""); code == http.StatusOK {
		t.Fatal("a removed phone still talks to the MDM endpoint")
	}
}

// reportRaw sends a command report as the phone writes it and returns the HTTP status.
func (p *phone) reportRaw(t *testing.T, body []byte) int {
	t.Helper()
	resp, err := p.transport.DoReportResultsAndFetchNext(context.Background(), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// A phone that lists a private app with its managed apps (a faulty or nosy phone; User
// Enrolment lists managed apps only) leaves no trace of it.
func TestTheInventoryKeepsWorkAppsOnly(t *testing.T) {
	s := newSite(t, "sqlite")
	ctx := context.Background()
	s.pushing(t)
	if _, err := s.svc.WorkPolicy.CreateWorkPolicy(ctx, "admin:test", s.tenant, mdm.WorkPolicy{Name: "Verwaltung",
		Apps: []mdm.AppAssignment{{Platform: mdm.PlatformIOS, AppID: mailApp, InstallType: mdm.InstallRequired, ManagedConfig: `{}`}}}); err != nil {
		t.Fatal(err)
	}
	p := s.enrolled(t, "erika")
	d := s.deviceOf(t, p)
	install := p.waitCommand(t)
	body, err := plist.Marshal(map[string]any{"EnrollmentID": p.enrollmentID, "Status": "Error", "CommandUUID": install.CommandUUID})
	if err != nil {
		t.Fatal(err)
	}
	p.reportRaw(t, body)

	query, err := s.svc.CommandDevice(ctx, "helpdesk:test", s.tenant, d.ID, mdm.CommandQueryWorkApps, "employee says mail is missing")
	if err != nil {
		t.Fatal(err)
	}
	list := p.waitCommand(t)
	if list.Command.RequestType != "ManagedApplicationList" {
		t.Fatalf("inventory command %+v", list.Command)
	}
	body, err = plist.Marshal(map[string]any{"EnrollmentID": p.enrollmentID, "Status": "Acknowledged", "CommandUUID": list.CommandUUID,
		"ManagedApplicationList": map[string]any{
			mailApp:                 map[string]any{"Status": "Managed"},
			"net.whatsapp.WhatsApp": map[string]any{"Status": "Managed"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	if code := p.reportRaw(t, body); code != http.StatusOK {
		t.Fatalf("inventory report: HTTP %d", code)
	}
	if c, err := s.st.Commands().Command(ctx, s.tenant.ID, query.ID); err != nil || c.State != mdm.CommandAcknowledged {
		t.Fatalf("the inventory command is %+v, %v; want acknowledged", c, err)
	}
	apps := s.workApps(t, d)
	if len(apps) != 1 || apps[mailApp].State != storage.AppInstalled {
		t.Fatalf("work apps %+v; want only the mail app, installed after the phone listed it as managed", apps)
	}
	var n int
	if err := s.st.Tables().DB().Raw("SELECT COUNT(*) FROM ios_work_apps WHERE bundle_id LIKE '%whatsapp%'").Row().Scan(&n); err != nil || n != 0 {
		t.Fatalf("the private app was stored (%d rows, %v)", n, err)
	}
	// What the device page reads is the same: the work app, installed, and nothing else.
	shown, err := s.svc.ReportedWorkApps(ctx, s.tenant, d)
	if err != nil || len(shown) != 1 || shown[0].AppID != mailApp || shown[0].State != mdm.AppInstalled {
		t.Fatalf("the device page's work apps %+v, %v; want only the mail app, installed", shown, err)
	}
}
