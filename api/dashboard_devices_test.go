package api_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// personDevice creates an employee with the name and address and a device of theirs in
// the state, created at the minute given.
func (w *apiWorld) personDevice(tn mdm.Tenant, name, email string, state mdm.DeviceState, minute int) mdm.Device {
	w.t.Helper()
	at := time.Date(2026, 11, 1, 9, minute, 0, 0, time.UTC)
	e := mdm.Employee{ID: mdm.NewID(), Email: email, Name: name, CreatedAt: at}
	if err := store.EnrolmentOf(w.store).CreateEmployee(context.Background(), tn.ID, &e); err != nil {
		w.t.Fatal(err)
	}
	d := mdm.Device{ID: mdm.NewID(), EmployeeID: e.ID, Platform: mdm.PlatformAndroid, State: state,
		Compliance: mdm.ComplianceCompliant, OSVersion: "15", CreatedAt: at, UpdatedAt: at}
	if err := w.store.Devices().CreateDevice(context.Background(), tn.ID, &d); err != nil {
		w.t.Fatal(err)
	}
	return d
}

// listedEmails are the employees' addresses in the device list's rows, in order.
var listedEmails = regexp.MustCompile(`<a href="/ui/devices/[a-z2-7]{26}">([^<]+)</a>`)

func emailsOn(body string) []string {
	var out []string
	for _, m := range listedEmails.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// The device list searches any part of a name or address, sorts by a column either way,
// keeps search, filters and sort in its address (the next page and the column headers
// carry them), says when nothing matches with a way back, and refuses a malformed query
// with 400 rather than guessing.
func TestDeviceListSearchesSortsAndKeepsItsQueryInTheAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		admin := w.session(w.tenant, mdm.RoleAdmin)
		w.personDevice(w.tenant, "Jürgen Müller", "j.mueller@musterstadt.example", mdm.DeviceActive, 1)
		w.personDevice(w.tenant, "Anna Schmidt", "a.schmidt@musterstadt.example", mdm.DeviceInvited, 2)
		w.personDevice(w.tenant, "Zoë Weiß", "z.weiss@musterstadt.example", mdm.DeviceActive, 3)
		w.personDevice(w.other, "Jürgen Müller", "j.mueller@nachbarort.example", mdm.DeviceActive, 1)

		for _, tt := range []struct {
			query string
			want  []string
		}{
			{"", []string{"z.weiss@musterstadt.example", "a.schmidt@musterstadt.example", "j.mueller@musterstadt.example"}},
			{"?q=LLER", []string{"j.mueller@musterstadt.example"}},
			{"?q=ürgen", []string{"j.mueller@musterstadt.example"}},
			{"?q=musterstadt&sort=name&order=asc", []string{"a.schmidt@musterstadt.example", "j.mueller@musterstadt.example", "z.weiss@musterstadt.example"}},
			{"?sort=email&order=desc", []string{"z.weiss@musterstadt.example", "j.mueller@musterstadt.example", "a.schmidt@musterstadt.example"}},
			{"?q=musterstadt&state=active&sort=name", []string{"j.mueller@musterstadt.example", "z.weiss@musterstadt.example"}},
		} {
			code, _, body := w.page(http.MethodGet, "/ui/devices"+tt.query, admin, nil)
			if code != http.StatusOK || strings.Join(emailsOn(body), " ") != strings.Join(tt.want, " ") {
				t.Errorf("GET /ui/devices%s: %d %q, want %q", tt.query, code, emailsOn(body), tt.want)
			}
		}

		// The column headers keep the search and turn the sort round.
		_, _, body := w.page(http.MethodGet, "/ui/devices?q=musterstadt&sort=name&order=asc", admin, nil)
		if !strings.Contains(body, `aria-sort="ascending"><a href="/ui/devices?order=desc&amp;q=musterstadt&amp;sort=name"`) {
			t.Errorf("the name column's header does not offer the other order with the search kept:\n%.3000s", body)
		}
		if !strings.Contains(body, `<input id="q" name="q" type="search" value="musterstadt"`) {
			t.Error("the search form does not show the search of the address")
		}

		// The next page keeps search and sort.
		for i := range mdm.DefaultPageSize {
			w.personDevice(w.tenant, "Person "+string(rune('A'+i%26)), mdm.NewID()+"@musterstadt.example", mdm.DeviceActive, 4+i%50)
		}
		_, _, body = w.page(http.MethodGet, "/ui/devices?q=musterstadt&sort=name&order=asc", admin, nil)
		next := regexp.MustCompile(`href="(/ui/devices\?[^"]*after=[^"]*)"`).FindStringSubmatch(body)
		if next == nil {
			t.Fatalf("no link to the next page:\n%.500s", body)
		}
		u, _ := url.Parse(strings.ReplaceAll(next[1], "&amp;", "&"))
		if u.Query().Get("q") != "musterstadt" || u.Query().Get("sort") != "name" || u.Query().Get("order") != "asc" {
			t.Errorf("the next page's link %s lost the search or sort", next[1])
		}
		code, _, body := w.page(http.MethodGet, u.String(), admin, nil)
		if got := emailsOn(body); code != http.StatusOK || len(got) != 3 || !strings.Contains(strings.Join(got, " "), "z.weiss@") {
			t.Errorf("the next page: %d %q", code, got)
		}

		// Nothing matches: said so, with a link that clears the filters.
		code, _, body = w.page(http.MethodGet, "/ui/devices?q=niemand&platform=ios", admin, nil)
		if code != http.StatusOK || !strings.Contains(body, "Keine Geräte passen zu diesen Filtern.") || !strings.Contains(body, `<a href="/ui/devices">Filter zurücksetzen</a>`) {
			t.Errorf("an empty filter result: %d\n%.2000s", code, body)
		}

		for _, bad := range []string{"?sort=secret", "?order=sideways", "?state=lost", "?platform=nokia", "?compliance=maybe", "?after=xyz", "?q=" + strings.Repeat("a", 300)} {
			if code, _, _ := w.page(http.MethodGet, "/ui/devices"+bad, admin, nil); code != http.StatusBadRequest {
				t.Errorf("GET /ui/devices%s: %d, want 400", bad, code)
			}
		}
	})
}

// A bulk action asks first: the confirmation names the count and wants a reason; with
// them, each device goes through the single action's service method and the outcome is
// shown per device. Another tenant's devices are not found, a device the action cannot
// take is reported, and the audit trail has each device's event and the bulk's reason.
func TestBulkActionsConfirmThenActPerDevice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		admin := w.session(w.tenant, mdm.RoleAdmin)
		helpdesk := w.session(w.tenant, mdm.RoleHelpdesk)
		a := w.personDevice(w.tenant, "Anna Schmidt", "a.schmidt@musterstadt.example", mdm.DeviceActive, 1)
		b := w.personDevice(w.tenant, "Bernd Bauer", "b.bauer@musterstadt.example", mdm.DeviceActive, 2)
		gone := w.personDevice(w.tenant, "Carla Klein", "c.klein@musterstadt.example", mdm.DeviceRemoved, 3)
		theirs := w.personDevice(w.other, "Dora Dorf", "d.dorf@nachbarort.example", mdm.DeviceActive, 1)
		p := w.policy(w.tenant)
		selection := url.Values{"device": {a.ID, b.ID, gone.ID, theirs.ID}, "policy": {p.ID}}

		// First the confirmation: nothing is moved yet.
		code, _, body := w.page(http.MethodPost, "/ui/devices/bulk/move", admin, cloneValues(selection))
		if code != http.StatusOK || !strings.Contains(body, "3 Gerät(e) in die Arbeitsrichtlinie „"+p.Name+"“ verschieben?") ||
			!strings.Contains(body, `id="bulk-missing"`) || !strings.Contains(body, `name="reason"`) {
			t.Fatalf("the confirmation: %d\n%.3000s", code, body)
		}
		if n := w.countAudit(w.tenant, audit.DevicePolicy); n != 0 {
			t.Fatalf("the confirmation moved %d devices", n)
		}
		// Ticked without a reason: asked again, still nothing done.
		form := cloneValues(selection)
		form.Set("confirm", "yes")
		if code, _, body := w.page(http.MethodPost, "/ui/devices/bulk/move", admin, form); code != http.StatusBadRequest || !strings.Contains(body, "Bitte nennen Sie einen Grund") {
			t.Fatalf("confirmed without a reason: %d\n%.1500s", code, body)
		}
		// The helpdesk may not move devices at all.
		form.Set("reason", "Umzug ins Bauamt")
		if code, _, _ := w.page(http.MethodPost, "/ui/devices/bulk/move", helpdesk, cloneValues(form)); code != http.StatusForbidden {
			t.Errorf("the helpdesk moving devices: %d, want 403", code)
		}
		code, _, body = w.page(http.MethodPost, "/ui/devices/bulk/move", admin, form)
		if code != http.StatusOK || !strings.Contains(body, "Erledigt für 4 Gerät(e), davon fehlgeschlagen: 2.") {
			t.Fatalf("the bulk move: %d\n%.3000s", code, body)
		}
		for _, d := range []mdm.Device{a, b} {
			got, err := w.svc.Device(context.Background(), w.tenant.ID, d.ID)
			if err != nil || got.WorkPolicyID == nil || *got.WorkPolicyID != p.ID {
				t.Errorf("device %s was not moved: %+v %v", d.ID, got.WorkPolicyID, err)
			}
		}
		if got, _ := w.svc.Device(context.Background(), w.other.ID, theirs.ID); got.WorkPolicyID != nil {
			t.Error("the other tenant's device was moved")
		}
		if !strings.Contains(body, "Gerät nicht gefunden") || !strings.Contains(body, "seine Arbeitsrichtlinie lässt sich nicht mehr ändern") {
			t.Errorf("the outcome does not report the other tenant's and the removed device:\n%.3000s", body)
		}
		if n := w.countAudit(w.tenant, audit.DevicePolicy); n != 2 {
			t.Errorf("%d device.policy events, want 2", n)
		}
		bulk := w.lastAudit(w.tenant)
		if bulk.Action != audit.DeviceBulk || !strings.Contains(string(bulk.Details), "Umzug ins Bauamt") || !strings.Contains(string(bulk.Details), theirs.ID) {
			t.Errorf("the bulk's event: %s %s", bulk.Action, bulk.Details)
		}
		if n := w.countAudit(w.other, audit.DeviceBulk); n != 0 {
			t.Error("the bulk was recorded in the other tenant's trail")
		}

		// Only the other tenant's devices: not found, nothing shown of them.
		if code, _, body := w.page(http.MethodPost, "/ui/devices/bulk/remove-work-data", admin, url.Values{"device": {theirs.ID}}); code != http.StatusNotFound || strings.Contains(body, "d.dorf") {
			t.Errorf("a selection of another tenant's devices: %d", code)
		}
		for _, bad := range []url.Values{{}, {"device": {"not-an-id"}}} {
			if code, _, _ := w.page(http.MethodPost, "/ui/devices/bulk/export", admin, bad); code != http.StatusBadRequest {
				t.Errorf("a bulk form with %v: %d, want 400", bad, code)
			}
		}
	})
}

// Resending invitations in bulk renews the code of each employee whose device is not yet
// set up and reports the others; the helpdesk may do it.
func TestBulkResendInvitation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		helpdesk := w.session(w.tenant, mdm.RoleHelpdesk)
		ctx := context.Background()
		inv, err := w.svc.Enrolment.Invite(ctx, "test", w.tenant, enrolment.InviteRequest{Email: "e.neu@musterstadt.example", Platform: mdm.PlatformAndroid})
		if err != nil {
			t.Fatal(err)
		}
		at := time.Now().UTC()
		invited := mdm.Device{ID: mdm.NewID(), EmployeeID: inv.Employee.ID, InvitationID: &inv.Invitation.ID, Platform: mdm.PlatformAndroid,
			State: mdm.DeviceInvited, Compliance: mdm.ComplianceUnknown, CreatedAt: at, UpdatedAt: at}
		if err := w.store.Devices().CreateDevice(ctx, w.tenant.ID, &invited); err != nil {
			t.Fatal(err)
		}
		active := w.personDevice(w.tenant, "Anna Schmidt", "a.schmidt@musterstadt.example", mdm.DeviceActive, 1)
		form := url.Values{"device": {invited.ID, active.ID}, "reason": {"Code nicht angekommen"}, "confirm": {"yes"}}
		code, _, body := w.page(http.MethodPost, "/ui/devices/bulk/resend-invitation", helpdesk, form)
		if code != http.StatusOK || !strings.Contains(body, "davon fehlgeschlagen: 1.") || !strings.Contains(body, "schon eingerichtet") {
			t.Fatalf("bulk resend: %d\n%.3000s", code, body)
		}
		if n := w.countAudit(w.tenant, audit.InvitationResend); n != 1 {
			t.Errorf("%d invitation.resend events, want 1", n)
		}
	})
}

// The export is a CSV file of the selection or of the whole filtered list, after a
// confirmation with a reason that the audit trail keeps as an access; a cell that a
// spreadsheet would run as a formula is written as text.
func TestBulkExportWritesSafeCSV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		helpdesk := w.session(w.tenant, mdm.RoleHelpdesk)
		evil := w.personDevice(w.tenant, "=HYPERLINK(\"http://evil.example\")", "evil@musterstadt.example", mdm.DeviceActive, 1)
		w.personDevice(w.tenant, "Anna Schmidt", "a.schmidt@musterstadt.example", mdm.DeviceActive, 2)
		w.personDevice(w.tenant, "Bernd Bauer", "b.bauer@rathaus.example", mdm.DeviceActive, 3)
		w.personDevice(w.other, "Dora Dorf", "d.dorf@musterstadt.example", mdm.DeviceActive, 1)

		code, _, body := w.page(http.MethodPost, "/ui/devices/bulk/export", helpdesk, url.Values{"scope": {"all"}, "q": {"musterstadt"}})
		if code != http.StatusOK || !strings.Contains(body, "2 Gerät(e) als CSV exportieren?") {
			t.Fatalf("the export's confirmation: %d\n%.2000s", code, body)
		}
		code, _, body = w.page(http.MethodPost, "/ui/devices/bulk/export", helpdesk,
			url.Values{"scope": {"all"}, "q": {"musterstadt"}, "reason": {"Inventur"}, "confirm": {"yes"}})
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if code != http.StatusOK || err != nil || len(rows) != 3 {
			t.Fatalf("the export of the filtered list: %d %v %q", code, err, rows)
		}
		if rows[0][0] != "device_id" || strings.Contains(body, "d.dorf") || strings.Contains(body, "rathaus") {
			t.Errorf("the export holds more than the tenant's filtered devices: %q", rows)
		}
		for _, r := range rows {
			if r[0] == evil.ID && r[1] != `'=HYPERLINK("http://evil.example")` {
				t.Errorf("a formula was written as is: %q", r[1])
			}
		}
		e := w.lastAudit(w.tenant)
		if e.Action != audit.DeviceExport || !strings.Contains(string(e.Details), "Inventur") || !e.IsAccess() {
			t.Errorf("the export's audit event: %s %s", e.Action, e.Details)
		}
		code, _, body = w.page(http.MethodPost, "/ui/devices/bulk/export", helpdesk,
			url.Values{"device": {evil.ID}, "reason": {"Prüfung"}, "confirm": {"yes"}})
		if rows, err := csv.NewReader(strings.NewReader(body)).ReadAll(); code != http.StatusOK || err != nil || len(rows) != 2 || rows[1][0] != evil.ID {
			t.Errorf("the export of a selection: %d %v %q", code, err, rows)
		}
	})
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// reportingApps is a platform's record of work apps that also (wrongly) holds a private
// app: the device page must show the policy's work apps only, whatever a platform reports.
type reportingApps []mdm.WorkApp

func (r reportingApps) WorkApps(context.Context, mdm.Store, string, mdm.Device) ([]mdm.WorkApp, error) {
	return r, nil
}

// The device page and the API's device view list the work apps of the device's policy
// with version and state as the platform reported them, an app not yet reported as such,
// and never a private app.
func TestDevicePageListsWorkAppsNeverPrivateOnes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		iosReg := setUp(ios.Registration())
		iosReg.WorkApps = reportingApps{
			{AppID: "de.musterstadt.mail", Version: "4.2", State: mdm.AppInstalled},
			{AppID: "net.whatsapp.WhatsApp", Version: "24.1", State: mdm.AppInstalled},
		}
		w := newAPIWorldOf(t, s, []mdm.Registration{iosReg, setUp(android.Registration())})
		helpdesk := w.session(w.tenant, mdm.RoleHelpdesk)
		ctx := context.Background()
		p, err := w.svc.WorkPolicy.CreateWorkPolicy(ctx, "test", w.tenant, mdm.WorkPolicy{Name: "Verwaltung", Apps: []mdm.AppAssignment{
			{Platform: mdm.PlatformIOS, AppID: "de.musterstadt.mail", InstallType: mdm.InstallRequired},
			{Platform: mdm.PlatformIOS, AppID: "de.musterstadt.kalender", InstallType: mdm.InstallRequired},
			{Platform: mdm.PlatformAndroid, AppID: "de.musterstadt.android.mail", InstallType: mdm.InstallRequired},
		}})
		if err != nil {
			t.Fatal(err)
		}
		e := w.employee(w.tenant)
		at := time.Now().UTC()
		d := mdm.Device{ID: mdm.NewID(), EmployeeID: e.ID, WorkPolicyID: &p.ID, Platform: mdm.PlatformIOS, State: mdm.DeviceActive,
			Compliance: mdm.ComplianceCompliant, CreatedAt: at, UpdatedAt: at}
		if err := w.store.Devices().CreateDevice(ctx, w.tenant.ID, &d); err != nil {
			t.Fatal(err)
		}
		code, _, body := w.page(http.MethodGet, "/ui/devices/"+d.ID, helpdesk, nil)
		apps := body[strings.Index(body, `<table id="work-apps">`):]
		apps = apps[:strings.Index(apps, "</table>")]
		if code != http.StatusOK || !strings.Contains(apps, "<td><code>de.musterstadt.mail</code></td><td>4.2</td><td>installiert") ||
			!strings.Contains(apps, "<td><code>de.musterstadt.kalender</code></td><td>—</td><td>noch nicht gemeldet") {
			t.Errorf("the work apps: %d\n%s", code, apps)
		}
		if strings.Contains(body, "whatsapp") || strings.Contains(body, "WhatsApp") || strings.Contains(apps, "android.mail") {
			t.Errorf("the device page shows an app that is not a work app of the iPhone:\n%s", apps)
		}

		code, answer := w.call(http.MethodGet, "/api/v1/devices/"+d.ID, w.tokens[mdm.RoleHelpdesk], "")
		type workApp struct {
			AppID   string `json:"app_id"`
			Version string `json:"version"`
			State   string `json:"state"`
		}
		var view struct {
			WorkApps []workApp `json:"work_apps"`
		}
		if err := json.Unmarshal([]byte(answer), &view); err != nil || code != http.StatusOK {
			t.Fatalf("the device view: %d %v\n%s", code, err, answer)
		}
		want := []workApp{{"de.musterstadt.kalender", "", "not_reported"}, {"de.musterstadt.mail", "4.2", "installed"}} // the policy's order
		if !slices.Equal(view.WorkApps, want) || strings.Contains(answer, "hatsApp") {
			t.Errorf("the device view's work apps: %s", answer)
		}
	})
}

// An address the device list cannot read (a hand-made sort, an outdated cursor) is
// refused in the reader's language, without the program's own English words.
func TestTheDeviceListRefusesAnAddressItCannotReadInGerman(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		admin := w.session(w.tenant, mdm.RoleAdmin)
		for _, query := range []string{"?sort=-last_contact", "?state=lost", "?compliance=maybe", "?after=notacursor", "?platform=nokia"} {
			code, _, body := w.page(http.MethodGet, "/ui/devices"+query, admin, nil)
			if code != http.StatusBadRequest || !strings.Contains(body, "die die Geräteliste nicht kennt") ||
				strings.Contains(body, "invalid") || strings.Contains(body, "use name") {
				t.Errorf("GET /ui/devices%s: %d\n%.600s", query, code, body)
			}
		}
	})
}
