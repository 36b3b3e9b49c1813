package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/ui/portal"
)

// supervisedIPhones is the iPhone platform telling whether a phone takes lost mode, as
// only a supervised one does.
type supervisedIPhones struct {
	fakeDriver
	supervised bool
}

func (s supervisedIPhones) TakesLostMode(context.Context, mdm.Device) (bool, error) {
	return s.supervised, nil
}

// activeDevice invites an employee to enrol a phone of the platform and ownership, and
// plays the phone setting its work area up: the employee's code and the active device.
func (f *fixture) activeDevice(email string, platform mdm.Platform, o mdm.Ownership) (string, mdm.Device) {
	f.t.Helper()
	req := enrolment.InviteRequest{Email: email, Platform: platform, Ownership: o}
	if platform == mdm.PlatformIOS {
		req.ManagedAppleID = strings.Replace(email, "@", "@appleid.", 1)
	}
	inv := f.invite(req)
	if status, _, _ := f.do("POST", "/e/"+inv.Code+"/accept", accept(platform)); status != http.StatusSeeOther {
		f.t.Fatalf("accept: %d", status)
	}
	if platform == mdm.PlatformIOS {
		_, err := f.svc.Enrolment.StartEnrolment(context.Background(), enrolment.EnrolmentRequest{Code: inv.Code, Platform: platform,
			Account: req.ManagedAppleID, Ownership: o})
		if err != nil {
			f.t.Fatal(err)
		}
	}
	d := f.onlyDevice()
	f.phoneGetsInTouch(d, true)
	return inv.Code, d
}

// commandsOf returns the device's commands.
func (f *fixture) commandsOf(d mdm.Device) []mdm.Command {
	f.t.Helper()
	cmds, err := f.store.Commands().Commands(context.Background(), f.tenant.ID, d.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return cmds
}

// lostReports returns the tenant's records of phones reported lost.
func (f *fixture) lostReports() []audit.Event {
	f.t.Helper()
	var out []audit.Event
	err := store.TrailOf(f.store).FilteredAuditEvents(context.Background(), f.tenant.ID, mdm.AuditFilter{Actions: []audit.Action{audit.DeviceReportLost}},
		func(e audit.Event) error { out = append(out, e); return nil })
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// An employee reports their company-owned Android phone lost on the status page: after a
// confirmation that says, in German, that the phone is locked and nothing is erased or
// located, the phone is ordered locked as a whole, on the employee's word and on record.
// A second report says that it was reported already and orders nothing again.
func TestAnEmployeeReportsTheirCompanyPhoneLost(t *testing.T) {
	f := newFixture(t)
	code, d := f.activeDevice("hof@musterstadt.de", mdm.PlatformAndroid, mdm.OwnershipCompany)

	_, _, page := f.do("GET", "/e/"+code, nil)
	link := "/e/" + code + "/lost?device=" + d.ID + "&amp;lang=de"
	mustContain(t, page, "Telefon verloren melden …", link)

	status, _, page := f.do("GET", "/e/"+code+"/lost?device="+d.ID, nil)
	if status != http.StatusOK {
		t.Fatalf("confirmation: %d", status)
	}
	mustContain(t, page, "Telefon als verloren melden?", "als Ganzes gesperrt", "Nichts wird gelöscht", "wird nicht geortet", "Ja, Telefon als verloren melden")
	if len(f.commandsOf(d)) != 0 {
		t.Fatal("opening the confirmation ordered a command")
	}

	form := url.Values{"device": {d.ID}}
	if status, _, page := f.do("POST", "/e/"+code+"/lost", form); status != http.StatusBadRequest || !strings.Contains(page, "bestätigen") {
		t.Errorf("without confirmation: %d", status)
	}
	form.Set("confirm", "yes")
	status, h, _ := f.do("POST", "/e/"+code+"/lost", form)
	if status != http.StatusSeeOther || h.Get("Location") != "/e/"+code+"?lost=1&lang=de" {
		t.Fatalf("report: %d %q", status, h.Get("Location"))
	}
	cmds := f.commandsOf(d)
	if len(cmds) != 1 || cmds[0].Kind != mdm.CommandLockDevice || cmds[0].State != mdm.CommandQueued {
		t.Fatalf("commands after the report: %+v", cmds)
	}
	reports := f.lostReports()
	if len(reports) != 1 || reports[0].Actor != "employee:"+d.EmployeeID || reports[0].Subject != audit.Device.Of(d.ID) ||
		reports[0].Field("kind") != string(mdm.CommandLockDevice) || !strings.Contains(reports[0].Field("reason"), "employee") {
		t.Errorf("the report on record: %+v", reports)
	}
	_, _, page = f.do("GET", "/e/"+code+"?lost=1", nil)
	mustContain(t, page, "Ihr Telefon wurde als verloren gemeldet", "Sie haben dieses Telefon am ")
	if strings.Contains(page, link) {
		t.Error("the status page offers to report the phone lost again")
	}

	status, _, page = f.do("POST", "/e/"+code+"/lost", form)
	if status != http.StatusConflict || !strings.Contains(page, "bereits als verloren gemeldet") {
		t.Errorf("second report: %d", status)
	}
	if n := len(f.commandsOf(d)); n != 1 || len(f.lostReports()) != 1 {
		t.Errorf("a second report ordered again: %d commands, %d reports", n, len(f.lostReports()))
	}
}

// The employee's own phone is never offered to be reported lost, and a report for it is
// refused with a page that says why: nothing is queued and nothing recorded as a report.
func TestAPersonalPhoneCannotBeReportedLost(t *testing.T) {
	f := newFixture(t)
	code, d := f.activeDevice("anna@musterstadt.de", mdm.PlatformAndroid, mdm.OwnershipPersonal)

	_, _, page := f.do("GET", "/e/"+code, nil)
	if strings.Contains(page, "verloren melden") || strings.Contains(page, "/lost?") {
		t.Error("the status page of the employee's own phone offers to report it lost")
	}
	if status, _, page := f.do("GET", "/e/"+code+"/lost?device="+d.ID, nil); status != http.StatusNotFound || !strings.Contains(page, "als verloren melden könnten") {
		t.Errorf("confirmation for the employee's own phone: %d", status)
	}
	status, _, page := f.do("POST", "/e/"+code+"/lost", url.Values{"device": {d.ID}, "confirm": {"yes"}})
	if status != http.StatusForbidden {
		t.Errorf("report of the employee's own phone: %d", status)
	}
	mustContain(t, page, "Hier kann nur das Telefon Ihres Arbeitgebers als verloren gemeldet werden", "Es wurde nichts geändert")
	if cmds := f.commandsOf(d); len(cmds) != 0 {
		t.Errorf("commands queued for the employee's own phone: %+v", cmds)
	}
	if reports := f.lostReports(); len(reports) != 0 {
		t.Errorf("reports on record: %+v", reports)
	}
	if status, _, _ := f.do("POST", "/e/"+code+"/lost", url.Values{"device": {"not-a-device"}, "confirm": {"yes"}}); status != http.StatusNotFound {
		t.Errorf("report of a device that is not the employee's: %d", status)
	}
}

// A supervised company-owned iPhone is put into lost mode with a message that names the
// employer; one that is not supervised (a device enrolment without Apple Business
// Manager) is locked instead. The pages speak English when asked.
func TestACompanyIPhoneGoesIntoLostModeOnlyWhenSupervised(t *testing.T) {
	for _, supervised := range []bool{true, false} {
		f := newFixtureWith(t, storetest.Platforms(), func(c *portal.Config) {
			c.Drivers[mdm.PlatformIOS] = supervisedIPhones{fakeDriver: fakeDriver{platform: mdm.PlatformIOS}, supervised: supervised}
		})
		code, d := f.activeDevice("ina@musterstadt.de", mdm.PlatformIOS, mdm.OwnershipCompany)
		_, _, page := f.do("GET", "/e/"+code+"/lost?device="+d.ID+"&lang=en", nil)
		want, kind := "The phone is locked as a whole", mdm.CommandLockDevice
		if supervised {
			want, kind = "put into lost mode: it is locked and shows a message that it belongs to Stadt Musterstadt", mdm.CommandStartLostMode
		}
		mustContain(t, page, "Report your phone lost?", want, "Yes, report my phone lost")
		status, h, _ := f.do("POST", "/e/"+code+"/lost?lang=en", url.Values{"device": {d.ID}, "confirm": {"yes"}})
		if status != http.StatusSeeOther || !strings.HasSuffix(h.Get("Location"), "lang=en") {
			t.Fatalf("report: %d %q", status, h.Get("Location"))
		}
		if cmds := f.commandsOf(d); len(cmds) != 1 || cmds[0].Kind != kind {
			t.Errorf("supervised %v: commands %+v, want %s", supervised, cmds, kind)
		}
	}
}

// Where the employer set its own lock-screen text for lost mode, the confirmation shows
// the employee that text, in place of the sentence that names the employer.
func TestTheLostReportShowsTheEmployersLockScreenText(t *testing.T) {
	f := newFixtureWith(t, storetest.Platforms(), func(c *portal.Config) {
		c.Drivers[mdm.PlatformIOS] = supervisedIPhones{fakeDriver: fakeDriver{platform: mdm.PlatformIOS}, supervised: true}
	})
	text := mdm.LostModeText{Message: "Bitte im Rathaus abgeben", PhoneNumber: "+49 431 123-456", Footnote: "Zimmer 12"}
	if _, err := f.svc.SetLostModeText(context.Background(), "admin:test", f.tenant, text); err != nil {
		t.Fatal(err)
	}
	code, d := f.activeDevice("ina@musterstadt.de", mdm.PlatformIOS, mdm.OwnershipCompany)
	_, _, page := f.do("GET", "/e/"+code+"/lost?device="+d.ID+"&lang=en", nil)
	mustContain(t, page, "text below, so that whoever finds it", text.Message, "431 123-456", text.Footnote)
	if strings.Contains(page, "shows a message that it belongs to") {
		t.Error("the confirmation names the default message although the employer set its own text")
	}
	_, _, page = f.do("GET", "/e/"+code+"/lost?device="+d.ID+"&lang=de", nil)
	mustContain(t, page, "zeigt den Text Ihres Arbeitgebers", text.Message)
}

// A company-owned iPhone that cannot take lost mode is locked, and its lock screen shows
// the employer's message and number (a lock has no footnote): the confirmation shows the
// employee those. An Android phone's lock shows nothing of it, and its confirmation says
// only that the phone is locked.
func TestTheLostReportShowsWhatALockedPhoneShows(t *testing.T) {
	f := newFixtureWith(t, storetest.Platforms(), func(c *portal.Config) {
		c.Drivers[mdm.PlatformIOS] = supervisedIPhones{fakeDriver: fakeDriver{platform: mdm.PlatformIOS}, supervised: false}
	})
	text := mdm.LostModeText{Message: "Bitte im Rathaus abgeben", PhoneNumber: "+49 431 123-456", Footnote: "Zimmer 12"}
	if _, err := f.svc.SetLostModeText(context.Background(), "admin:test", f.tenant, text); err != nil {
		t.Fatal(err)
	}
	code, d := f.activeDevice("ina@musterstadt.de", mdm.PlatformIOS, mdm.OwnershipCompany)
	_, _, page := f.do("GET", "/e/"+code+"/lost?device="+d.ID+"&lang=en", nil)
	mustContain(t, page, "locked as a whole and shows your employer", text.Message, "431 123-456")
	if strings.Contains(page, text.Footnote) || strings.Contains(page, "lost mode") {
		t.Errorf("the confirmation for a lock shows the footnote or speaks of lost mode:\n%s", page)
	}
	_, _, page = f.do("GET", "/e/"+code+"/lost?device="+d.ID+"&lang=de", nil)
	mustContain(t, page, "gesperrt und zeigt den Text Ihres Arbeitgebers", text.Message)

	f = newFixtureWith(t, storetest.Platforms())
	if _, err := f.svc.SetLostModeText(context.Background(), "admin:test", f.tenant, text); err != nil {
		t.Fatal(err)
	}
	code, d = f.activeDevice("jan@musterstadt.de", mdm.PlatformAndroid, mdm.OwnershipCompany)
	_, _, page = f.do("GET", "/e/"+code+"/lost?device="+d.ID+"&lang=en", nil)
	mustContain(t, page, "The phone is locked as a whole. You open it again")
	if strings.Contains(page, text.Message) {
		t.Errorf("the confirmation for an Android phone shows a text its lock does not show:\n%s", page)
	}
}
