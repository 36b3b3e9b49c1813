package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/audit/export"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// prefixSigner stands in for the CA in the dashboard's exports: the tests of
// cmd/trennwand check the CA's real signatures with openssl; here it is enough to see
// that the manifest went through the signer.
type prefixSigner struct{}

func (prefixSigner) Sign(content []byte) ([]byte, error) {
	return append([]byte("signed:"), content...), nil
}

func testAuditSigner(context.Context) (export.Signer, error) { return prefixSigner{}, nil }

// auditScene is a tenant whose trail holds what an officer looks into: an administrator
// who opened Berta Beispiel's phone and changed a policy, and a phone of the neighbouring
// tenant that must never show.
type auditScene struct {
	admin       mdm.Admin
	phone       mdm.Device
	berta       mdm.Employee
	otherPhone  mdm.Device
	viewed, cmd int64 // the sequence numbers of the view and of the command
}

func newAuditScene(t *testing.T, w *apiWorld) auditScene {
	t.Helper()
	ctx := context.Background()
	var sc auditScene
	var err error
	if sc.admin, _, err = w.svc.Access.CreateAdmin(ctx, "test", w.tenant, "it-leitung@musterstadt.example", mdm.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	sc.berta = mdm.Employee{ID: mdm.NewID(), Email: "berta.beispiel@musterstadt.example", Name: "Berta Beispiel", CreatedAt: time.Now().UTC()}
	if err := store.EnrolmentOf(w.store).CreateEmployee(ctx, w.tenant.ID, &sc.berta); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	sc.phone = mdm.Device{ID: mdm.NewID(), EmployeeID: sc.berta.ID, Platform: mdm.PlatformAndroid, State: mdm.DeviceActive,
		Compliance: mdm.ComplianceCompliant, CreatedAt: now, UpdatedAt: now}
	if err := w.store.Devices().CreateDevice(ctx, w.tenant.ID, &sc.phone); err != nil {
		t.Fatal(err)
	}
	sc.otherPhone = w.device(w.other)
	actor := audit.Admin.Of(sc.admin.ID)
	if _, err := w.svc.ViewDevice(ctx, actor, w.tenant, sc.phone.ID); err != nil {
		t.Fatal(err)
	}
	sc.viewed = w.lastAudit(w.tenant).Seq
	if err := w.svc.Record(ctx, w.tenant.ID, audit.Record{Actor: actor, Action: audit.DeviceCommand, Subject: audit.Device.Of(sc.phone.ID),
		Details: audit.Fields(map[string]any{"kind": mdm.CommandLockWork, "reason": "Gerät verloren gemeldet"})}); err != nil {
		t.Fatal(err)
	}
	sc.cmd = w.lastAudit(w.tenant).Seq
	if _, err := w.svc.ViewDevice(ctx, "admin:"+mdm.NewID(), w.other, sc.otherPhone.ID); err != nil {
		t.Fatal(err)
	}
	return sc
}

var sentences = regexp.MustCompile(`<span class="sentence">([^<]*)</span>`)

// shown returns the sentences of an audit page, in order.
func shown(body string) []string {
	var out []string
	for _, m := range sentences.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// auditVisibleText is the text of a page a reader sees before opening the technical details:
// without those, the tags and their attributes (the filters' choices carry references).
func auditVisibleText(body string) string {
	body = regexp.MustCompile(`(?s)<details>.*?</details>`).ReplaceAllString(body, "")
	return regexp.MustCompile(`(?s)<[^>]*>`).ReplaceAllString(body, " ")
}

// eventsTable is the table of events of an audit page.
func eventsTable(body string) string {
	return regexp.MustCompile(`(?s)<table id="events">.*?</table>`).FindString(body)
}

// A data-protection officer reads the trail as sentences, newest first: who, in which
// role, did what to whose phone, and why; identifiers only in the technical details; the
// state of the chain at the top. Nothing of the neighbouring tenant shows, whatever the
// filter.
func TestTheAuditPageTellsEventsAsSentencesNewestFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		sc := newAuditScene(t, w)
		officer := w.session(w.tenant, mdm.RoleDPO)

		code, _, body := w.page(http.MethodGet, "/ui/audit?what=devices", officer, nil)
		if code != http.StatusOK {
			t.Fatalf("%d:\n%.1500s", code, body)
		}
		got := shown(body)
		want := []string{
			"it-leitung@musterstadt.example (Administration) hat für das Android-Gerät von Berta Beispiel den Befehl „Arbeitsbereich sperren“ erteilt. Grund: „Gerät verloren gemeldet“.",
			"it-leitung@musterstadt.example (Administration) hat das Android-Gerät von Berta Beispiel geöffnet.",
		}
		if len(got) != 2 || unescape(got[0]) != want[0] || unescape(got[1]) != want[1] {
			t.Fatalf("the devices' events read\n%q\nwant\n%q", got, want)
		}
		plain := auditVisibleText(body)
		for _, id := range []string{sc.phone.ID, sc.admin.ID, sc.berta.ID} {
			if strings.Contains(plain, id) {
				t.Errorf("the page shows the identifier %s outside the technical details", id)
			}
		}
		if !strings.Contains(body, sc.phone.ID) {
			t.Errorf("the technical details do not hold the device's ID")
		}
		if !strings.Contains(body, `id="chain-ok"`) || strings.Contains(body, `id="chain-broken"`) {
			t.Errorf("the chain's state is not shown as intact:\n%.2000s", body)
		}

		for _, path := range []string{"/ui/audit", "/ui/audit?device=" + sc.otherPhone.ID, "/ui/audit?what=access", "/ui/audit?verify=all"} {
			code, _, body := w.page(http.MethodGet, path, officer, nil)
			if table := eventsTable(body); code != http.StatusOK || table == "" || strings.Contains(table, sc.otherPhone.ID) || strings.Contains(table, w.other.ID) {
				t.Errorf("%s (%d) shows the neighbouring tenant's events", path, code)
			}
		}
		_, _, body = w.page(http.MethodGet, "/ui/audit?device="+sc.otherPhone.ID, officer, nil)
		if len(shown(body)) != 0 || !strings.Contains(body, "Keine Ereignisse passen zu diesen Filtern.") {
			t.Errorf("the neighbour's phone as a filter:\n%.2000s", body)
		}
		_, _, body = w.page(http.MethodGet, "/ui/audit?verify=all", officer, nil)
		if !strings.Contains(body, `id="full-ok"`) {
			t.Errorf("the whole trail's verification is not shown:\n%.2000s", body)
		}
	})
}

func unescape(s string) string {
	return strings.NewReplacer("&#34;", `"`, "&#39;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(s)
}

// Each filter narrows the page, stays in the address of the next page, and a filter that
// cannot be right is refused with its reason and no events, never with a server error.
func TestTheAuditFiltersNarrowThePageAndRefuseNonsense(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		sc := newAuditScene(t, w)
		admin := w.session(w.tenant, mdm.RoleAdmin)
		today := time.Now().UTC().Format(time.DateOnly)
		tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
		cases := []struct {
			query string
			want  int // sentences shown
			has   string
		}{
			{"who=admin:" + sc.admin.ID, 2, "Berta Beispiel"},
			{"person=berta.beispiel@musterstadt.example", 2, "Berta Beispiel"},
			{"person=Berta", 2, "Berta Beispiel"},
			{"device=" + sc.phone.ID + "&what=access", 1, "geöffnet"},
			{"what=device.command", 1, "Arbeitsbereich sperren"},
			{"from=" + today + "&to=" + today + "&who=admin:" + sc.admin.ID, 2, ""},
			{"from=" + tomorrow + "&who=admin:" + sc.admin.ID, 0, "Keine Ereignisse passen zu diesen Filtern."},
		}
		for _, tc := range cases {
			code, _, body := w.page(http.MethodGet, "/ui/audit?"+tc.query, admin, nil)
			if code != http.StatusOK || len(shown(body)) != tc.want || !strings.Contains(body, tc.has) {
				t.Errorf("%s: %d with %d sentences, want %d and %q:\n%q", tc.query, code, len(shown(body)), tc.want, tc.has, shown(body))
			}
		}
		refused := map[string]string{
			"from=2026-13-45":                    "„Von“ und „Bis“ nehmen ein Datum der Form JJJJ-MM-TT.",
			"from=2026-03-02&to=2026-03-01":      "Der Zeitraum ist leer",
			"who=admin:" + mdm.NewID():           "Unter „Wer“ ist niemand dieses Mandanten ausgewählt.",
			"person=niemand@musterstadt.example": "Keine beschäftigte Person passt",
			"what=device.explode":                "Diese Art von Ereignis gibt es nicht.",
			"device=../../etc":                   "Dieses Gerät ist keines",
			"after=bm90IGEgY3Vyc29y":             "Diese Seite gibt es nicht mehr",
		}
		for query, msg := range refused {
			code, _, body := w.page(http.MethodGet, "/ui/audit?"+query, admin, nil)
			if code != http.StatusBadRequest || !strings.Contains(unescape(body), msg) || len(shown(body)) != 0 {
				t.Errorf("%s: %d with %d sentences, want 400 saying %q", query, code, len(shown(body)), msg)
			}
		}
	})
}

var nextPage = regexp.MustCompile(`rel="next" href="(/ui/audit\?[^"]*)"`)

// Pages follow one another newest first without gaps or repeats, keep the filters, and
// stay stable while new events arrive.
func TestTheAuditPagesFollowOneAnother(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		sc := newAuditScene(t, w)
		officer := w.session(w.tenant, mdm.RoleDPO)
		actor := audit.Admin.Of(sc.admin.ID)
		for range 60 {
			if _, err := w.svc.ViewDevice(context.Background(), actor, w.tenant, sc.phone.ID); err != nil {
				t.Fatal(err)
			}
		}
		path := "/ui/audit?who=" + url.QueryEscape(actor)
		var pages [][]string
		for path != "" && len(pages) < 5 {
			code, _, body := w.page(http.MethodGet, path, officer, nil)
			if code != http.StatusOK {
				t.Fatalf("%s: %d", path, code)
			}
			pages = append(pages, shown(body))
			if len(pages) == 1 {
				// A new event while the officer reads does not move the next page.
				if _, err := w.svc.ViewDevice(context.Background(), actor, w.tenant, sc.phone.ID); err != nil {
					t.Fatal(err)
				}
			}
			path = ""
			if m := nextPage.FindStringSubmatch(body); m != nil {
				path = unescape(m[1])
				if !strings.Contains(path, "who=") {
					t.Fatalf("the next page lost the filter: %s", path)
				}
			}
		}
		if len(pages) != 2 {
			t.Fatalf("%d pages of %v sentences, want 2", len(pages), pages)
		}
		if len(pages[0]) != mdm.DefaultPageSize || len(pages[1]) != 62-mdm.DefaultPageSize {
			t.Fatalf("pages of %d and %d sentences, want %d and %d", len(pages[0]), len(pages[len(pages)-1]), mdm.DefaultPageSize, 62-mdm.DefaultPageSize)
		}
		if last := pages[1][len(pages[1])-1]; !strings.Contains(last, "geöffnet") {
			t.Errorf("the oldest of the admin's events is not the first view: %q", last)
		}
	})
}

// Only roles with the audit permission see the trail and export it; the export is the
// filtered selection as a signed archive, and is itself recorded with who made it and
// what it selected.
func TestTheAuditExportIsTheSelectionSignedAndRecorded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		sc := newAuditScene(t, w)
		helpdesk := w.session(w.tenant, mdm.RoleHelpdesk)
		if code, _, _ := w.page(http.MethodGet, "/ui/audit", helpdesk, nil); code != http.StatusForbidden {
			t.Errorf("helpdesk reads the audit trail: %d", code)
		}
		if code, _, _ := w.page(http.MethodPost, "/ui/audit/export", helpdesk, url.Values{"format": {"csv"}}); code != http.StatusForbidden {
			t.Errorf("helpdesk exports the audit trail: %d", code)
		}
		officer := w.session(w.tenant, mdm.RoleDPO)
		_, _, body := w.page(http.MethodGet, "/ui/audit?device="+sc.phone.ID, officer, nil)
		if !strings.Contains(body, `action="/ui/audit/export"`) || !strings.Contains(body, `name="device" value="`+sc.phone.ID+`"`) {
			t.Fatalf("the page offers no export of its selection:\n%.3000s", body)
		}
		if code, _, body := w.page(http.MethodPost, "/ui/audit/export", officer, url.Values{"format": {"xml"}}); code != http.StatusBadRequest {
			t.Errorf("an unknown format: %d\n%.500s", code, body)
		}
		before := w.countAudit(w.tenant, audit.AuditExport)
		form := url.Values{"format": {"csv"}, "device": {sc.phone.ID}, "what": {"devices"}}
		req := formRequest(t, "/ui/audit/export", officer, form)
		rec := httptest.NewRecorder()
		w.srv.Echo().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/zip" ||
			!strings.Contains(rec.Header().Get("Content-Disposition"), "attachment") {
			t.Fatalf("export: %d %v\n%.500s", rec.Code, rec.Header(), rec.Body.String())
		}
		files := unzip(t, rec.Body.Bytes())
		rows, err := csv.NewReader(bytes.NewReader(files["events.csv"])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		// The header, the view and the command: the export's own event concerns the device
		// too, but it is no event of the group "devices".
		if len(rows) != 3 || rows[1][4] != string(audit.DeviceView) || rows[2][4] != string(audit.DeviceCommand) {
			t.Errorf("the exported events: %q", rows)
		}
		if !bytes.Equal(files["manifest.json.p7s"], append([]byte("signed:"), files["manifest.json"]...)) ||
			!strings.Contains(string(files["manifest.json"]), `"device": "`+sc.phone.ID+`"`) {
			t.Errorf("the manifest is not signed or does not state the filter:\n%s", files["manifest.json"])
		}
		if w.countAudit(w.tenant, audit.AuditExport) != before+1 {
			t.Fatalf("the export was not recorded")
		}
		e := w.lastAudit(w.tenant)
		if e.Action != audit.AuditExport || !strings.HasPrefix(e.Actor, "admin:") || e.Subject != audit.Device.Of(sc.phone.ID) ||
			e.Field("format") != "csv" || !strings.Contains(string(e.Details), `"actions"`) {
			t.Errorf("the export's event: %+v", e)
		}
		_, _, body = w.page(http.MethodGet, "/ui/audit?what=access", officer, nil)
		if got := shown(body); len(got) == 0 || !strings.Contains(unescape(got[0]), "hat das Prüfprotokoll als CSV exportiert (Zeitraum Beginn bis heute).") {
			t.Errorf("the export does not read as the newest access: %q", got)
		}
	})
}

func formRequest(t *testing.T, path string, s session, form url.Values) *http.Request {
	t.Helper()
	form.Set("csrf", s.csrf)
	req, err := http.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "trennwand_session", Value: s.token})
	return req
}

func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], _ = io.ReadAll(r)
	}
	return files
}

// Someone with write access to the database changes who opened Berta's phone: the next
// view of the audit page warns at the top, names the event from which the trail is no
// longer intact, and still shows the events.
func TestTheAuditPageWarnsOfABrokenChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		sc := newAuditScene(t, w)
		officer := w.session(w.tenant, mdm.RoleDPO)
		drop := "DROP TRIGGER audit_events_no_update"
		if s.Postgres() {
			drop += " ON audit_events"
		}
		if err := storetest.RawExec(s, drop); err != nil {
			t.Fatal(err)
		}
		storetest.Exec(t, s, "UPDATE audit_events SET actor = ? WHERE tenant_id = ? AND seq = ?", "admin:"+mdm.NewID(), w.tenant.ID, sc.viewed)
		code, _, body := w.page(http.MethodGet, "/ui/audit", officer, nil)
		want := "Warnung: Das Prüfprotokoll ist ab Ereignis Nr. " + strconv.FormatInt(sc.viewed, 10) + " nicht mehr unversehrt."
		if code != http.StatusOK || !strings.Contains(unescape(body), want) || strings.Contains(body, `id="chain-ok"`) || len(shown(body)) == 0 {
			t.Fatalf("%d, want the warning %q:\n%.2500s", code, want, body)
		}
	})
}

// The API exports what the dashboard's audit page exports: the same filters, CSV or JSON
// Lines, and with signed=true the same signed archive; a filter that cannot be right is a
// problem that names it and records nothing.
func TestTheAPIExportsTheAuditTrailAsThePageDoes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		sc := newAuditScene(t, w)
		officer := w.tokens[mdm.RoleDPO]
		before := w.countAudit(w.tenant, audit.AuditExport)
		for _, bad := range []string{"format=xml", "what=everything", "device=nonsense", "signed=perhaps"} {
			if code, body := w.call(http.MethodGet, "/api/v1/audit/export?"+bad, officer, ""); code != http.StatusBadRequest ||
				!strings.Contains(body, strings.SplitN(bad, "=", 2)[0]) {
				t.Errorf("%s: %d %.300s, want 400 naming the filter", bad, code, body)
			}
		}
		if w.countAudit(w.tenant, audit.AuditExport) != before {
			t.Fatal("a refused export was recorded")
		}
		code, body := w.call(http.MethodGet, "/api/v1/audit/export?format=csv&what=devices&device="+sc.phone.ID, officer, "")
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if code != http.StatusOK || err != nil || len(rows) != 3 || rows[1][4] != string(audit.DeviceView) || rows[2][4] != string(audit.DeviceCommand) {
			t.Fatalf("CSV export: %d %v %q", code, err, rows)
		}
		req := httptest.NewRequest(http.MethodGet, "/api/v1/audit/export?signed=true&format=jsonl&device="+sc.phone.ID, nil)
		req.Header.Set("Authorization", "Bearer "+officer)
		rec := httptest.NewRecorder()
		w.srv.Echo().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/zip" {
			t.Fatalf("signed export: %d %v\n%.500s", rec.Code, rec.Header(), rec.Body.String())
		}
		files := unzip(t, rec.Body.Bytes())
		if !bytes.Equal(files["manifest.json.p7s"], append([]byte("signed:"), files["manifest.json"]...)) ||
			!strings.Contains(string(files["manifest.json"]), `"device": "`+sc.phone.ID+`"`) || len(files["events.jsonl"]) == 0 {
			t.Errorf("the archive is not the signed selection: %q", files["manifest.json"])
		}
		if got := w.countAudit(w.tenant, audit.AuditExport); got != before+2 {
			t.Errorf("%d exports recorded, want 2", got-before)
		}
	})
}
