package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/ui/portal"
)

// reportedApps is what a test's phone reports of its work apps, by app ID, as a
// platform's reader reads it from the phone's answers; an app not named is not reported.
type reportedApps map[string]mdm.WorkAppState

func (r reportedApps) WorkApps(context.Context, mdm.Store, string, mdm.Device) ([]mdm.WorkApp, error) {
	var out []mdm.WorkApp
	for id, st := range r {
		out = append(out, mdm.WorkApp{AppID: id, State: st})
	}
	return out, nil
}

// progressFixture is a portal whose platforms report the work apps of reported, with a
// default work policy that installs two Android apps and one iPhone app.
func progressFixture(t *testing.T, reported reportedApps, configure ...func(*portal.Config)) *fixture {
	t.Helper()
	ios, android := storetest.IOS, storetest.Android
	ios.WorkApps, android.WorkApps = reported, reported
	f := newFixtureWith(t, mdm.WithPlatforms(ios, android), configure...)
	policy := mdm.WorkPolicy{ID: mdm.NewID(), Name: "Verwaltung", Version: 1, Default: true, Apps: []mdm.AppAssignment{
		{ID: mdm.NewID(), Platform: mdm.PlatformAndroid, AppID: "com.example.mail", InstallType: mdm.InstallRequired, ManagedConfig: "{}"},
		{ID: mdm.NewID(), Platform: mdm.PlatformAndroid, AppID: "com.example.files", InstallType: mdm.InstallRequired, ManagedConfig: "{}"},
		{ID: mdm.NewID(), Platform: mdm.PlatformAndroid, AppID: "com.example.chat", InstallType: mdm.InstallAvailable, ManagedConfig: "{}"},
		{ID: mdm.NewID(), Platform: mdm.PlatformIOS, AppID: "com.example.mail", InstallType: mdm.InstallRequired, ManagedConfig: "{}"},
	}}
	if err := store.WorkPoliciesOf(f.store).CreateWorkPolicy(context.Background(), f.tenant.ID, &policy); err != nil {
		t.Fatal(err)
	}
	return f
}

// currentStep is the step of the progress list marked as where the employee stands, in
// the words of the page: "label – state".
var currentStep = regexp.MustCompile(`<li class="step-[a-z]+" aria-current="step"><strong>([^<]+)</strong> – ([^<]+)`)

// tag is an HTML tag, which textOf leaves out.
var tag = regexp.MustCompile(`<[^>]+>`)

// textOf is the text of the page without its tags.
func textOf(page string) string { return tag.ReplaceAllString(page, "") }

func stepOf(t *testing.T, page string) string {
	t.Helper()
	all := currentStep.FindAllStringSubmatch(page, -1)
	if len(all) != 1 {
		t.Fatalf("%d steps marked current, want one:\n%s", len(all), page)
	}
	return all[0][1] + " – " + all[0][2]
}

// An Android employee follows the set-up on the status page: each step in plain words,
// the current one marked for screen readers, the page reloading itself while it waits
// and no longer once the work apps are there or one of them failed, and "remove" offered
// only once something is on the phone.
func TestTheSetupPageShowsHowFarThePhoneHasCome(t *testing.T) {
	reported := reportedApps{}
	f := progressFixture(t, reported)
	inv := f.invite(enrolment.InviteRequest{Email: "anna@musterstadt.de", Platform: mdm.PlatformAndroid})
	f.do("POST", "/e/"+inv.Code+"/accept", accept(mdm.PlatformAndroid))
	d := f.onlyDevice()

	type want struct {
		step, hint string
		refresh    bool
		remove     bool
	}
	check := func(name string, w want) string {
		t.Helper()
		status, h, page := f.do("GET", "/e/"+inv.Code, nil)
		if status != http.StatusOK {
			t.Fatalf("%s: status %d", name, status)
		}
		if got := stepOf(t, page); got != w.step {
			t.Errorf("%s: current step %q, want %q", name, got, w.step)
		}
		mustContain(t, textOf(page), "Hinweise gelesen und bestätigt – erledigt", w.hint)
		if got := h.Get("Refresh"); w.refresh != (got == "20; url=/e/"+inv.Code+"?lang=de") {
			t.Errorf("%s: Refresh header %q, want it %v", name, got, w.refresh)
		}
		if w.refresh != strings.Contains(page, "Diese Seite aktualisiert sich alle 20 Sekunden von selbst.") {
			t.Errorf("%s: the page does not say whether it updates itself", name)
		}
		if got := strings.Contains(page, "Arbeitsbereich entfernen"); got != w.remove {
			t.Errorf("%s: removal offered %v, want %v", name, got, w.remove)
		}
		if strings.Contains(page, "enrolling") || strings.Contains(page, "pending") || strings.Contains(page, "installed") {
			t.Errorf("%s: the page shows a raw state", name)
		}
		return page
	}

	check("waiting for the phone", want{step: "Ihr Telefon meldet sich – läuft gerade",
		hint: "Folgen Sie den Schritten unten auf Ihrem Telefon", refresh: true})
	f.phoneGetsInTouch(d, false)
	check("enrolling", want{step: "Arbeitsbereich auf dem Telefon eingerichtet – läuft gerade",
		hint: "Sie müssen nichts tun", refresh: true, remove: true})
	f.phoneGetsInTouch(d, true)
	page := check("enrolled, apps to come", want{step: "Dienst-Apps installiert: 0 von 2 – läuft gerade",
		hint: "Lassen Sie das Telefon dafür eingeschaltet und mit dem Internet verbunden", refresh: true, remove: true})
	mustContain(t, textOf(page), "Arbeitsbereich auf dem Telefon eingerichtet – erledigt", "Fertig – kommt noch")
	reported["com.example.mail"] = mdm.AppInstalled
	check("one app there", want{step: "Dienst-Apps installiert: 1 von 2 – läuft gerade",
		hint: "mit dem Internet verbunden", refresh: true, remove: true})
	reported["com.example.files"] = mdm.AppFailed
	check("one app failed", want{step: "Dienst-Apps installiert: 1 von 2 – hat nicht geklappt",
		hint: "1 von 2 Dienst-Apps ließen sich nicht installieren. Verbinden Sie das Telefon mit dem Internet", remove: true})
	reported["com.example.files"] = mdm.AppInstalled
	check("done", want{step: "Fertig – erledigt", hint: "Ihr Arbeitsbereich ist fertig.", remove: true})

	_, _, page = f.do("GET", "/e/"+inv.Code+"?lang=en", nil)
	mustContain(t, page, `aria-current="step"><strong>Done</strong> – done`)
	mustContain(t, textOf(page), "Work apps installed: 2 of 2 – done")
}

// While the iPhone has not signed in yet, its steps page shows the progress and reloads
// itself, so that it turns into the status page once the phone has; an employee can
// turn the reloading off.
func TestTheIPhoneStepsWaitForThePhone(t *testing.T) {
	f := progressFixture(t, reportedApps{})
	inv := f.invite(enrolment.InviteRequest{Email: "ben@musterstadt.de", Platform: mdm.PlatformIOS, ManagedAppleID: "ben@appleid.musterstadt.de"})
	f.do("POST", "/e/"+inv.Code+"/accept", accept(mdm.PlatformIOS))
	_, h, page := f.do("GET", "/e/"+inv.Code, nil)
	if stepOf(t, page) != "Ihr Telefon meldet sich – läuft gerade" || h.Get("Refresh") != "20; url=/e/"+inv.Code+"?lang=de" {
		t.Errorf("steps page: %q, Refresh %q", stepOf(t, page), h.Get("Refresh"))
	}
	mustContain(t, page, "VPN und Geräteverwaltung", `href="/e/`+inv.Code+`?lang=de&amp;auto=0"`)
	mustContain(t, textOf(page), "Dienst-Apps installiert – kommt noch")

	_, h, page = f.do("GET", "/e/"+inv.Code+"?lang=de&auto=0", nil)
	if h.Get("Refresh") != "" || strings.Contains(page, "aktualisiert sich alle") {
		t.Errorf("reloading turned off: Refresh %q", h.Get("Refresh"))
	}
	mustContain(t, page, `<a href="/e/`+inv.Code+`?lang=de&amp;auto=0">Seite neu laden, um den Stand zu sehen</a>`)
}

// Removing the work area takes a confirmation that says what goes and what stays; it is
// not offered, and refused, for a phone on which nothing is set up, and for a device that
// is not the employee's.
func TestRemovingTheWorkAreaIsConfirmedFirst(t *testing.T) {
	f := newFixture(t)
	inv := f.invite(enrolment.InviteRequest{Email: "anna@musterstadt.de", Platform: mdm.PlatformAndroid})
	f.do("POST", "/e/"+inv.Code+"/accept", accept(mdm.PlatformAndroid))
	d := f.onlyDevice()
	confirmation := "/e/" + inv.Code + "/remove?" + url.Values{"device": {d.ID}}.Encode()
	yes := url.Values{"device": {d.ID}, "confirm": {"yes"}}

	if status, _, page := f.do("GET", confirmation, nil); status != http.StatusNotFound || !strings.Contains(page, "Dieses Gerät gibt es hier nicht") {
		t.Errorf("confirmation before anything is set up: %d", status)
	}
	if status, _, _ := f.do("POST", "/e/"+inv.Code+"/remove", yes); status != http.StatusNotFound {
		t.Errorf("removal before anything is set up: %d", status)
	}
	if got := f.onlyDevice().State; got != mdm.DeviceInvited {
		t.Fatalf("device %s after a refused removal", got)
	}

	f.phoneGetsInTouch(d, true)
	_, _, page := f.do("GET", "/e/"+inv.Code, nil)
	mustContain(t, page, `href="/e/`+inv.Code+`/remove?device=`+d.ID+`&amp;lang=de">Arbeitsbereich entfernen …</a>`)
	status, _, page := f.do("GET", confirmation, nil)
	if status != http.StatusOK {
		t.Fatalf("confirmation: %d", status)
	}
	mustContain(t, page, "Arbeitsbereich wirklich entfernen?", "Das wird entfernt", "alle Dienst-Apps mit ihren Daten",
		"Das bleibt, wie es ist", "Ihre privaten Apps, Fotos, Nachrichten und Daten – sie werden nicht angefasst",
		`<input type="hidden" name="confirm" value="yes">`, "Ja, Arbeitsbereich entfernen", "Android-Telefon")
	_, _, page = f.do("GET", confirmation+"&lang=en", nil)
	mustContain(t, page, "What stays as it is", "they are not touched")

	other := f.invite(enrolment.InviteRequest{Email: "ben@musterstadt.de", Platform: mdm.PlatformAndroid})
	if status, _, _ := f.do("POST", "/e/"+other.Code+"/remove", yes); status != http.StatusNotFound {
		t.Errorf("another employee's code removes the device: %d", status)
	}
	if status, _, _ := f.do("GET", "/e/"+inv.Code+"/remove?device=nope", nil); status != http.StatusNotFound {
		t.Errorf("unknown device: %d", status)
	}
	status, _, page = f.do("POST", "/e/"+inv.Code+"/remove", url.Values{"device": {d.ID}})
	if status != http.StatusBadRequest || !strings.Contains(page, "Bitte bestätigen Sie mit der Schaltfläche unten") {
		t.Errorf("removal without the confirmation: %d", status)
	}
	for _, body := range []string{"confirm=%zz", "device=" + d.ID + "&confirm=%zz"} {
		req, _ := http.NewRequest("POST", f.srv.URL+"/e/"+inv.Code+"/remove", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("malformed form %q: %d", body, res.StatusCode)
		}
	}
	if got := f.onlyDevice().State; got != mdm.DeviceActive {
		t.Fatalf("device %s before the confirmation", got)
	}

	if status, h, _ := f.do("POST", "/e/"+inv.Code+"/remove", yes); status != http.StatusSeeOther || h.Get("Location") != "/e/"+inv.Code+"?removed=1&lang=de" {
		t.Fatalf("confirmed removal: %d to %q", status, h.Get("Location"))
	}
	_, h, page := f.do("GET", "/e/"+inv.Code+"?removed=1", nil)
	if strings.Contains(page, "Arbeitsbereich entfernen …") || strings.Contains(page, `aria-current="step"`) || h.Get("Refresh") != "" {
		t.Errorf("a work area being removed is offered removal again, or shown as being set up:\n%s", page)
	}
}

// On a phone the notice starts with a summary of what the employer sees, never sees and
// can do; every statement of the notice follows in expandable details.
func TestTheNoticeSummarisesFirst(t *testing.T) {
	f := newFixture(t)
	inv := f.invite(enrolment.InviteRequest{Email: "anna@musterstadt.de", Platform: mdm.PlatformAndroid})
	_, _, page := f.do("GET", "/e/"+inv.Code, nil)
	summary := strings.Index(page, "Das Wichtigste in Kürze")
	details := strings.Index(page, "<details")
	if summary < 0 || details < summary {
		t.Fatalf("summary at %d, details at %d", summary, details)
	}
	mustContain(t, page[summary:details], "Ihr Arbeitgeber sieht:", "Ihr Arbeitgeber sieht nie:", "Ihr Arbeitgeber kann:",
		"Ihre privaten Apps, Fotos, Nachrichten, Ihren Standort oder Ihre Telefonnummer")
	notice, _ := mdm.PrivacyNotice(mdm.PlatformAndroid, mdm.OwnershipPersonal)
	for _, list := range [][]mdm.NoticeItem{notice.CanSee, notice.CannotSee, notice.CanDo, notice.CannotDo} {
		for _, it := range list {
			if i := strings.LastIndex(page, it.Text.DE); i < details {
				t.Errorf("%s is not in the details", it.ID)
			}
		}
	}
	if n := strings.Count(page, "<details"); n != 4 {
		t.Errorf("%d details, want one for each list", n)
	}
}
