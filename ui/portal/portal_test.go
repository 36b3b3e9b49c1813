package portal_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/ui/portal"
)

const (
	androidUA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"
	iPhoneUA  = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
)

// fakeDriver is a platform that answers enrolment steps.
type fakeDriver struct {
	mdm.Driver
	platform mdm.Platform
}

func (f fakeDriver) Platform() mdm.Platform { return f.platform }

func (f fakeDriver) EnrolmentStep(_ context.Context, _ mdm.Tenant, d mdm.Device) (mdm.EnrolmentStep, error) {
	if f.platform == mdm.PlatformAndroid && d.Ownership.Company() {
		return mdm.EnrolmentStep{QRCode: `{"android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE":{"com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN":"TOKEN-` + d.ID + `"}}`}, nil
	}
	if f.platform == mdm.PlatformAndroid {
		return mdm.EnrolmentStep{URL: "https://enterprise.google.com/android/enroll?et=TOKEN-" + d.ID}, nil
	}
	return mdm.EnrolmentStep{Account: "anna@appleid.musterstadt.de"}, nil
}

type noCA struct{}

func (noCA) RevokeEnrolment(context.Context, string, string, string) (int, error) { return 0, nil }

// fixture is a running portal with one tenant.
type fixture struct {
	t      *testing.T
	store  *store.Store
	svc    *domain.Services
	tenant mdm.Tenant
	srv    *httptest.Server
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWith(t, storetest.Platforms())
}

// newFixtureWith is a running portal on a domain that registers the platforms as given,
// configured further by configure.
func newFixtureWith(t *testing.T, platforms mdm.Option, configure ...func(*portal.Config)) *fixture {
	t.Helper()
	st := storetest.Open(t, storetest.SQLite)
	svc := domain.New(st, storetest.PlainSealer{}, mdm.WithCertificates(noCA{}), platforms)
	tn := storetest.Tenant(t, svc, "musterstadt")
	tn, err := svc.Enrolment.SetTenantContacts(context.Background(), "test", tn, enrolment.Contacts{
		Employer: "Stadt Musterstadt", Operator: "KommunalIT Nord", PrivacyContact: "Datenschutz Musterstadt, datenschutz@musterstadt.de"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := portal.Config{Service: svc, Drivers: map[mdm.Platform]mdm.Driver{
		mdm.PlatformAndroid: fakeDriver{platform: mdm.PlatformAndroid}, mdm.PlatformIOS: fakeDriver{platform: mdm.PlatformIOS}}}
	for _, c := range configure {
		c(&cfg)
	}
	p, err := portal.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p.Handler())
	t.Cleanup(srv.Close)
	return &fixture{t: t, store: st, svc: svc, tenant: tn, srv: srv}
}

func (f *fixture) invite(req enrolment.InviteRequest) enrolment.NewInvitation {
	f.t.Helper()
	inv, err := f.svc.Enrolment.Invite(context.Background(), "test", f.tenant, req)
	if err != nil {
		f.t.Fatal(err)
	}
	return inv
}

// onlyDevice returns the tenant's one device.
func (f *fixture) onlyDevice() mdm.Device {
	f.t.Helper()
	devices, err := f.store.Devices().Devices(context.Background(), f.tenant.ID, mdm.DeviceFilter{})
	if err != nil || len(devices) != 1 {
		f.t.Fatalf("devices %v (%v), want one", devices, err)
	}
	return devices[0]
}

// phoneGetsInTouch plays the phone of device d making first contact, as its platform
// reports it, and with complete finishing the set-up of the work area.
func (f *fixture) phoneGetsInTouch(d mdm.Device, complete bool) {
	f.t.Helper()
	ctx := context.Background()
	if err := f.svc.Enrolment.BeginEnrolment(ctx, f.tenant.ID, d.ID, "enterprises/E/devices/"+d.ID); err != nil {
		f.t.Fatal(err)
	}
	if !complete {
		return
	}
	if err := f.svc.Enrolment.CompleteEnrolment(ctx, f.tenant.ID, d.ID); err != nil {
		f.t.Fatal(err)
	}
}

// client follows no redirects, so that tests see them.
var client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func (f *fixture) do(method, path string, form url.Values, header ...string) (int, http.Header, string) {
	f.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, f.srv.URL+path, body)
	if err != nil {
		f.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

func accept(platform mdm.Platform) url.Values {
	return url.Values{"platform": {string(platform)}, "notice_version": {mdm.NoticeVersion()}, "acknowledge": {"yes"}}
}

func mustContain(t *testing.T, page string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(page, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

// An employee with an Android phone opens the link: the notice comes first, in German,
// for Android, with who runs the service and whom to ask; after acknowledging it the
// status page offers the enrolment link and its QR code.
func TestAnAndroidEmployeeReadsTheNoticeThenGetsTheLink(t *testing.T) {
	f := newFixture(t)
	inv := f.invite(enrolment.InviteRequest{Email: "anna@musterstadt.de"})
	status, _, page := f.do("GET", "/e/"+inv.Code, nil, "User-Agent", androidUA)
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	notice, _ := mdm.PrivacyNotice(mdm.PlatformAndroid, mdm.OwnershipPersonal)
	mustContain(t, page, `<html lang="de">`, "Ihr Arbeitgeber kann nicht sehen", "KommunalIT Nord",
		"datenschutz@musterstadt.de", `value="android"`, notice.Version, "Hinweise für iPhone und iPad")
	for _, it := range append(notice.CannotSee, notice.CannotDo...) {
		mustContain(t, page, it.Text.DE)
	}

	no := accept(mdm.PlatformAndroid)
	no.Del("acknowledge")
	if status, _, page := f.do("POST", "/e/"+inv.Code+"/accept", no); status != http.StatusBadRequest || !strings.Contains(page, "Häkchen") {
		t.Errorf("without acknowledgement: %d", status)
	}
	status, h, _ := f.do("POST", "/e/"+inv.Code+"/accept", accept(mdm.PlatformAndroid))
	if status != http.StatusSeeOther || h.Get("Location") != "/e/"+inv.Code+"?lang=de" {
		t.Fatalf("accept: %d to %q", status, h.Get("Location"))
	}
	status, _, page = f.do("GET", "/e/"+inv.Code, nil, "User-Agent", androidUA)
	mustContain(t, page, "https://enterprise.google.com/android/enroll?et=TOKEN-", "Arbeitsprofil einrichten",
		"/e/"+inv.Code+"/android.png", "noch nicht eingerichtet")
	if status != http.StatusOK {
		t.Errorf("status page: %d", status)
	}
	status, h, png := f.do("GET", "/e/"+inv.Code+"/android.png", nil)
	if status != http.StatusOK || h.Get("Content-Type") != "image/png" || !strings.HasPrefix(png, "\x89PNG") {
		t.Errorf("QR code: %d %s", status, h.Get("Content-Type"))
	}
}

// The same page in English, chosen by the browser or with the switch, which is remembered.
func TestThePortalSpeaksEnglish(t *testing.T) {
	f := newFixture(t)
	inv := f.invite(enrolment.InviteRequest{Email: "anna@musterstadt.de", Platform: mdm.PlatformAndroid})
	_, _, page := f.do("GET", "/e/"+inv.Code, nil, "Accept-Language", "en-GB,en;q=0.9,de;q=0.5")
	mustContain(t, page, `<html lang="en">`, "Your employer cannot see", "your photos, videos and personal files")
	if strings.Contains(page, "Hinweise für iPhone") || strings.Contains(page, "Show the notice for iPhone") {
		t.Error("an Android invitation offers another platform")
	}
	_, h, page := f.do("GET", "/e/"+inv.Code+"?lang=en", nil, "Accept-Language", "de")
	mustContain(t, page, `<html lang="en">`)
	if !strings.Contains(h.Get("Set-Cookie"), "lang=en") {
		t.Errorf("the choice is not remembered: %q", h.Get("Set-Cookie"))
	}
	_, _, page = f.do("GET", "/e/"+inv.Code, nil, "Cookie", "lang=en", "Accept-Language", "de")
	mustContain(t, page, `<html lang="en">`)
	_, _, page = f.do("GET", "/e/"+inv.Code, nil, "Accept-Language", "fr")
	mustContain(t, page, `<html lang="de">`)
}

// An iPhone user acknowledges the notice and is shown the settings to open, the managed
// Apple account and the code.
func TestAnIPhoneEmployeeGetsTheSettingsSteps(t *testing.T) {
	f := newFixture(t)
	inv := f.invite(enrolment.InviteRequest{Email: "anna@musterstadt.de", ManagedAppleID: "anna@appleid.musterstadt.de"})
	_, _, page := f.do("GET", "/e/"+inv.Code, nil, "User-Agent", iPhoneUA)
	mustContain(t, page, `value="ios"`, "verwalteten Apple Account Ihres Arbeitgebers", "Hinweise für Android")
	if status, _, _ := f.do("POST", "/e/"+inv.Code+"/accept", accept(mdm.PlatformIOS)); status != http.StatusSeeOther {
		t.Fatalf("accept: %d", status)
	}
	_, _, page = f.do("GET", "/e/"+inv.Code, nil, "User-Agent", iPhoneUA)
	mustContain(t, page, "VPN und Geräteverwaltung", "Mit Arbeits- oder Schulaccount anmelden", "anna@appleid.musterstadt.de", inv.Code)
	_, _, page = f.do("GET", "/e/"+inv.Code+"?choose=1&platform=android", nil, "User-Agent", iPhoneUA)
	mustContain(t, page, `value="android"`)
}

// Unknown, expired and revoked links all get the very same page.
func TestUnusableLinksLookTheSame(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	revoked := f.invite(enrolment.InviteRequest{Email: "r@musterstadt.de"})
	if err := f.svc.Enrolment.RevokeInvitation(ctx, "test", f.tenant, revoked.Invitation.ID); err != nil {
		t.Fatal(err)
	}
	paths := []string{"/e/" + revoked.Code, "/e/AAAABBBBCCCCDDDDEEEEFFFFGGGGHHHH", "/e/x"}
	var first string
	for _, p := range paths {
		status, _, page := f.do("GET", p, nil)
		// The language switch links the page's own address; nothing else may differ.
		page = strings.ReplaceAll(page, p, "/e/CODE")
		if status != http.StatusNotFound {
			t.Errorf("%s: %d", p, status)
		}
		if first == "" {
			first = page
			mustContain(t, page, "Dieser Link funktioniert nicht")
		} else if page != first {
			t.Errorf("%s answers differently", p)
		}
	}
}

// Too many unusable codes from one address are answered with "wait"; a colleague's good
// code from the same address (one town hall behind one NAT) still opens the portal.
func TestGuessingIsAnsweredWithWait(t *testing.T) {
	ahead := storetest.ToMidWindow(time.Now(), enrolment.GuessWindow)
	f := newFixtureWith(t, func(s *mdm.Service) {
		storetest.Platforms()(s)
		mdm.WithClock(func() time.Time { return time.Now().Add(ahead) })(s)
	})
	inv := f.invite(enrolment.InviteRequest{Email: "anna@musterstadt.de"})
	for range enrolment.MaxFailedGuesses {
		f.do("GET", "/e/NOPE", nil)
	}
	status, h, page := f.do("GET", "/e/NOPE", nil)
	if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
		t.Errorf("status %d", status)
	}
	mustContain(t, page, "Zu viele Versuche")
	if status, _, _ := f.do("GET", "/e/"+inv.Code, nil); status != http.StatusOK {
		t.Errorf("a good code from the same address: %d, want 200", status)
	}
}

// Another site cannot submit the portal's forms.
func TestFormsRefuseCrossSiteRequests(t *testing.T) {
	f := newFixture(t)
	inv := f.invite(enrolment.InviteRequest{Email: "anna@musterstadt.de"})
	status, _, _ := f.do("POST", "/e/"+inv.Code+"/accept", accept(mdm.PlatformAndroid), "Sec-Fetch-Site", "cross-site")
	if status != http.StatusForbidden {
		t.Errorf("cross-site form: %d", status)
	}
	status, _, _ = f.do("POST", "/e/"+inv.Code+"/accept", accept(mdm.PlatformAndroid), "Origin", "https://evil.example")
	if status != http.StatusForbidden {
		t.Errorf("form from another origin: %d", status)
	}
	if _, err := f.svc.Enrolment.OpenInvitation(context.Background(), netip.Addr{}, inv.Code); err != nil {
		t.Fatal(err)
	}
}

// The employee removes the work container on the status page after confirming it.
func TestAnEmployeeRemovesTheWorkContainer(t *testing.T) {
	f := newFixture(t)
	inv := f.invite(enrolment.InviteRequest{Email: "anna@musterstadt.de"})
	f.do("POST", "/e/"+inv.Code+"/accept", accept(mdm.PlatformAndroid))
	devices := []mdm.Device{f.onlyDevice()}
	f.phoneGetsInTouch(devices[0], true)
	form := url.Values{"device": {devices[0].ID}}
	if status, _, page := f.do("POST", "/e/"+inv.Code+"/remove", form); status != http.StatusBadRequest || !strings.Contains(page, "bestätigen") {
		t.Errorf("without confirmation: %d", status)
	}
	form.Set("confirm", "yes")
	status, h, _ := f.do("POST", "/e/"+inv.Code+"/remove", form)
	if status != http.StatusSeeOther || h.Get("Location") != "/e/"+inv.Code+"?removed=1&lang=de" {
		t.Fatalf("remove: %d %q", status, h.Get("Location"))
	}
	_, _, page := f.do("GET", "/e/"+inv.Code+"?removed=1", nil)
	mustContain(t, page, "Der Arbeitsbereich wird entfernt", "Arbeitsbereich wird entfernt")
	d, _ := f.store.Devices().Device(context.Background(), f.tenant.ID, devices[0].ID)
	if d.State != mdm.DeviceRemoving {
		t.Errorf("device %s", d.State)
	}
}

func TestMessagesExistInEveryLanguage(t *testing.T) {
	c, err := portal.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	if m := c.Missing(); len(m) > 0 {
		t.Errorf("missing messages: %v", m)
	}
}

func TestDetectPlatform(t *testing.T) {
	cases := map[string]mdm.Platform{androidUA: mdm.PlatformAndroid, iPhoneUA: mdm.PlatformIOS,
		"Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X)":          mdm.PlatformIOS,
		"Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0":          "",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Safari": ""}
	for ua, want := range cases {
		if got := portal.DetectPlatform(ua); got != want {
			t.Errorf("%s: got %q, want %q", ua, got, want)
		}
	}
}

// The invitation e-mail says, in German and then in English, whom it is for, where to go
// and until when, and that private data stays private.
func TestTheInvitationMail(t *testing.T) {
	tn := mdm.Tenant{DisplayName: "Stadt Musterstadt", OperatorName: "KommunalIT Nord"}
	m := enrolment.InvitationMail{Tenant: tn, Employee: mdm.Employee{Email: "anna@musterstadt.de", Name: "Anna Berg"},
		Invitation: mdm.Invitation{ExpiresAt: time.Date(2026, 12, 11, 9, 0, 0, 0, time.UTC)}, Code: "CODE"}
	subject, text, err := portal.InvitationMail(m, "https://mdm.musterstadt.de/e/CODE")
	if err != nil {
		t.Fatal(err)
	}
	if subject != "Ihr Arbeitsbereich auf dem eigenen Telefon / Your work area on your own phone" {
		t.Errorf("subject %q", subject)
	}
	mustContain(t, text, "Guten Tag Anna Berg,", "Hello Anna Berg,", "Stadt Musterstadt lädt Sie ein", "https://mdm.musterstadt.de/e/CODE",
		"11.12.2026", "KommunalIT Nord", "bleiben für Ihren Arbeitgeber unsichtbar", "-- English --")
	if strings.Index(text, "Guten Tag") > strings.Index(text, "Hello") {
		t.Error("German comes first")
	}
}

// A code typed from a letter leads to its page, forgiving case, spaces and hyphens.
func TestATypedCodeLeadsToItsPage(t *testing.T) {
	f := newFixture(t)
	status, _, page := f.do("GET", "/e/", nil)
	if status != http.StatusOK || !strings.Contains(page, `<label for="code">`) {
		t.Fatalf("code form: %d", status)
	}
	status, h, _ := f.do("GET", "/e/?code=abcd-efgh+ijkl", nil)
	if status != http.StatusSeeOther || h.Get("Location") != "/e/ABCDEFGHIJKL" {
		t.Errorf("typed code: %d to %q", status, h.Get("Location"))
	}
}
