package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// switchable is a platform's set-up that a test turns off after the invitations exist,
// as when IT revokes the Android binding or the push certificate was never uploaded.
type switchable struct{ ready *bool }

func (s switchable) SetUp(context.Context, mdm.Store, string) (bool, error) { return *s.ready, nil }

func (switchable) Todo() string { return "set it up" }

// An employee whose invitation is for a platform that IT has not (or no longer) set up is
// told that IT is still setting it up — on Android and on the iPhone, before the notice,
// at the acknowledgement and at the iPhone's steps — never an error page, and nothing is
// created.
func TestAnInvitationForAPlatformNotSetUpSaysITIsStillAtIt(t *testing.T) {
	ready := true
	ios, android := storetest.IOS, storetest.Android
	ios.Setup, android.Setup = switchable{&ready}, switchable{&ready}
	f := newFixtureWith(t, mdm.WithPlatforms(ios, android))
	forAndroid := f.invite(enrolment.InviteRequest{Email: "a@musterstadt.de", Platform: mdm.PlatformAndroid})
	forIPhone := f.invite(enrolment.InviteRequest{Email: "i@musterstadt.de", Platform: mdm.PlatformIOS, ManagedAppleID: "i@appleid.musterstadt.de"})
	acknowledged := f.invite(enrolment.InviteRequest{Email: "j@musterstadt.de", Platform: mdm.PlatformIOS, ManagedAppleID: "j@appleid.musterstadt.de"})
	if status, _, _ := f.do("POST", "/e/"+acknowledged.Code+"/accept", accept(mdm.PlatformIOS)); status != http.StatusSeeOther {
		t.Fatalf("accept while set up: %d", status)
	}
	ready = false

	for name, path := range map[string]string{"android": "/e/" + forAndroid.Code, "iphone": "/e/" + forIPhone.Code,
		"iphone steps": "/e/" + acknowledged.Code} {
		status, _, page := f.do("GET", path, nil)
		if status != http.StatusOK || !strings.Contains(page, "Ihre IT richtet das noch ein") || strings.Contains(page, `name="acknowledge"`) {
			t.Errorf("%s: %d\n%s", name, status, page)
		}
		status, _, page = f.do("GET", path+"?lang=en", nil)
		if status != http.StatusOK || !strings.Contains(page, "Your IT is still setting this up") {
			t.Errorf("%s in English: %d", name, status)
		}
	}
	status, _, page := f.do("POST", "/e/"+forAndroid.Code+"/accept", accept(mdm.PlatformAndroid))
	if status != http.StatusOK || !strings.Contains(page, "Ihre IT richtet das noch ein") {
		t.Errorf("accept on Android: %d", status)
	}
	if n := storetest.Count(t, f.store, "devices", "tenant_id = ?", f.tenant.ID); n != 0 {
		t.Errorf("%d devices made for a platform not set up", n)
	}

	ready = true
	if _, _, page := f.do("GET", "/e/"+forAndroid.Code, nil); !strings.Contains(page, `name="acknowledge"`) {
		t.Error("once set up, the notice is shown")
	}
}

// "Remove work area" is offered only for a phone on which something is set up; the iPhone's
// code has a copy button that only JavaScript shows, and the code stays text.
func TestTheStatusPageOffersRemovalOnlyOnceSomethingIsSetUp(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	inv := f.invite(enrolment.InviteRequest{Email: "anna@musterstadt.de", Platform: mdm.PlatformAndroid})
	f.do("POST", "/e/"+inv.Code+"/accept", accept(mdm.PlatformAndroid))
	_, _, page := f.do("GET", "/e/"+inv.Code, nil)
	if strings.Contains(page, "Arbeitsbereich entfernen") {
		t.Error("a phone still to be set up is offered removal")
	}
	devices, _ := f.store.Devices().Devices(ctx, f.tenant.ID, mdm.DeviceFilter{})
	if err := f.svc.Enrolment.BeginEnrolment(ctx, f.tenant.ID, devices[0].ID, "enterprises/E/devices/1"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Enrolment.CompleteEnrolment(ctx, f.tenant.ID, devices[0].ID); err != nil {
		t.Fatal(err)
	}
	_, _, page = f.do("GET", "/e/"+inv.Code, nil)
	mustContain(t, page, "Arbeitsbereich entfernen")

	iphone := f.invite(enrolment.InviteRequest{Email: "ben@musterstadt.de", Platform: mdm.PlatformIOS, ManagedAppleID: "ben@appleid.musterstadt.de"})
	f.do("POST", "/e/"+iphone.Code+"/accept", accept(mdm.PlatformIOS))
	_, _, page = f.do("GET", "/e/"+iphone.Code, nil)
	mustContain(t, page, `<strong class="code" id="invitation-code">`+iphone.Code+`</strong>`,
		`data-copy="invitation-code"`, `hidden>Code kopieren</button>`, `<script src="/assets/copy.js" defer></script>`)
}

// After the work area is removed, the employee's link says what happened and what to do
// next, instead of "this link does not work".
func TestAfterTheWorkAreaIsRemovedTheLinkSaysWhatHappened(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	inv := f.invite(enrolment.InviteRequest{Email: "anna@musterstadt.de", Platform: mdm.PlatformAndroid})
	f.do("POST", "/e/"+inv.Code+"/accept", accept(mdm.PlatformAndroid))
	devices := []mdm.Device{f.onlyDevice()}
	f.phoneGetsInTouch(devices[0], true)
	status, _, _ := f.do("POST", "/e/"+inv.Code+"/remove", url.Values{"device": {devices[0].ID}, "confirm": {"yes"}})
	if status != http.StatusSeeOther {
		t.Fatalf("remove: %d", status)
	}
	if err := f.svc.ConfirmRemoval(ctx, "test", f.tenant.ID, devices[0].ID, "done"); err != nil {
		t.Fatal(err)
	}
	status, _, page := f.do("GET", "/e/"+inv.Code, nil)
	if status != http.StatusGone {
		t.Errorf("status %d, want 410", status)
	}
	removed, err := f.store.Devices().Device(ctx, f.tenant.ID, devices[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, page, "Der Arbeitsbereich wurde entfernt", "Er wurde am "+removed.UpdatedAt.UTC().Format("02.01.2006")+" von Ihrem Telefon entfernt",
		"privaten Apps, Fotos und Daten sind davon nicht betroffen", "bitten Sie Ihre IT um eine neue Einladung")
	if strings.Contains(page, "Dieser Link funktioniert nicht") {
		t.Error("the link still says it does not work")
	}
	_, _, page = f.do("GET", "/e/"+inv.Code+"?lang=en", nil)
	mustContain(t, page, "The work area was removed", "removed from your phone on "+removed.UpdatedAt.UTC().Format("2 January 2006"),
		"Your personal apps, photos and data are not affected", "ask your IT for a new invitation")
}
