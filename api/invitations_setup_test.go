package api_test

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// A new tenant has set up neither platform: an invitation for Android, for an iPhone or
// for either is refused in the API, the dashboard and the CSV import, each saying what
// to do, and nothing is created. Once the push certificate is there, an iPhone invitation
// still needs the employee's managed Apple account.
func TestInvitationsWaitForThePlatformToBeSetUp(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite,
		store.WithMigrations(store.MigrationSource{Name: "ios", FS: ios.Migrations()}),
		store.WithMigrations(store.MigrationSource{Name: "android", FS: android.Migrations()}))
	w := newAPIWorldOf(t, st, []mdm.Registration{ios.Registration(), android.Registration()})
	admin := w.session(w.tenant, mdm.RoleAdmin)
	token := w.tokens[mdm.RoleHelpdesk]

	for body, want := range map[string]string{
		`{"email":"a@musterstadt.example","platform":"android"}`:                                            "bind an Android enterprise",
		`{"email":"i@musterstadt.example","platform":"ios","managed_apple_id":"i@musterstadt.appleid.com"}`: "upload the Apple MDM push certificate",
		`{"email":"x@musterstadt.example"}`:                                                                 "no platform is set up",
	} {
		if code, got := w.call(http.MethodPost, "/api/v1/invitations", token, body); code != http.StatusBadRequest || !strings.Contains(got, want) {
			t.Errorf("API %s: %d %s", body, code, got)
		}
	}
	for platform, want := range map[string]string{"android": "Android ist noch nicht eingerichtet: Verbinden Sie zuerst ein Android-Unternehmen",
		"ios": "iPhones sind noch nicht eingerichtet: Laden Sie zuerst das Apple-MDM-Push-Zertifikat hoch",
		"any": "Noch ist keine Plattform eingerichtet"} {
		code, _, page := w.page(http.MethodPost, "/ui/invitations", admin, url.Values{"email": {"d@musterstadt.example"},
			"platform": {platform}, "managed_apple_id": {"d@musterstadt.appleid.com"}})
		if code != http.StatusBadRequest || !strings.Contains(page, want) {
			t.Errorf("dashboard, %s: %d\n%.2000s", platform, code, page)
		}
	}
	code, page := w.upload("/ui/invitations/csv", admin, map[string]string{"csv": "email;platform\nc@musterstadt.example;android\n"})
	if code != http.StatusBadRequest || !strings.Contains(page, "<td>2</td>") || !strings.Contains(page, "Android ist noch nicht eingerichtet") {
		t.Errorf("CSV import: %d\n%.2000s", code, page)
	}
	if n := storetest.Count(t, st, "invitations", "tenant_id = ?", w.tenant.ID); n != 0 {
		t.Errorf("%d invitations made for platforms not set up", n)
	}

	// The push certificate arrives.
	platformSetUp(t, st, w.tenant, mdm.PlatformIOS)
	if code, got := w.call(http.MethodPost, "/api/v1/invitations", token, `{"email":"i@musterstadt.example","platform":"ios"}`); code != http.StatusBadRequest ||
		!strings.Contains(got, "managed Apple account") {
		t.Errorf("API, iPhone without the account: %d %s", code, got)
	}
	code, _, page = w.page(http.MethodPost, "/ui/invitations", admin, url.Values{"email": {"i@musterstadt.example"}, "platform": {"ios"}})
	if code != http.StatusBadRequest || !strings.Contains(page, "braucht es den verwalteten Apple Account") {
		t.Errorf("dashboard, iPhone without the account: %d\n%.2000s", code, page)
	}
	code, _, page = w.page(http.MethodPost, "/ui/invitations?lang=en", admin, url.Values{"email": {"i@musterstadt.example"}, "platform": {"ios"}})
	if code != http.StatusBadRequest || !strings.Contains(page, "needs the person&#39;s managed Apple account") {
		t.Errorf("dashboard in English, iPhone without the account: %d\n%.2000s", code, page)
	}
	if code, got := w.call(http.MethodPost, "/api/v1/invitations", token,
		`{"email":"i@musterstadt.example","platform":"ios","managed_apple_id":"i@musterstadt.appleid.com"}`); code != http.StatusCreated {
		t.Errorf("API, iPhone with the account: %d %s", code, got)
	}
	// Either phone is fine now that one platform is set up.
	if code, got := w.call(http.MethodPost, "/api/v1/invitations", token, `{"email":"x@musterstadt.example"}`); code != http.StatusCreated {
		t.Errorf("API, either phone: %d %s", code, got)
	}
}

// platformSetUp records for the tenant what setting the platform up leaves behind (`apple
// push-cert upload`, `android bind`), for tests of what follows.
func platformSetUp(t *testing.T, st *store.Store, tn mdm.Tenant, p mdm.Platform) {
	t.Helper()
	now := time.Now().UTC()
	db := st.Tables().DB()
	var err error
	switch p {
	case mdm.PlatformIOS:
		topic := "com.apple.mgmt.test." + tn.Name
		err = db.Exec(`INSERT INTO ios_push_certs (topic, cert_pem, key_pem, stale_token, updated_at) VALUES (?, ?, ?, 0, ?)`,
			topic, []byte("-"), []byte("-"), now).Error
		if err == nil {
			err = db.Exec(`INSERT INTO ios_tenant_push (tenant_id, topic, not_after, updated_at) VALUES (?, ?, ?, ?)`,
				tn.ID, topic, now.Add(365*24*time.Hour), now).Error
		}
	case mdm.PlatformAndroid:
		err = db.Exec(`INSERT INTO android_enterprises (tenant_id, enterprise_name, pubsub_topic, push_secret_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			tn.ID, "enterprises/LCtest"+tn.Name, "projects/trennwand-test/topics/trennwand-"+tn.Name, []byte("secret-"+tn.ID), now, now).Error
	}
	if err != nil {
		t.Fatalf("set up %s for %s: %v", p, tn.Name, err)
	}
}

// The administrator of a new tenant sees on the overview what is still to set up, each
// step with its state and a link, until all are done; the helpdesk is not shown it.
func TestTheOverviewListsANewTenantsSetUpUntilItIsDone(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite,
		store.WithMigrations(store.MigrationSource{Name: "ios", FS: ios.Migrations()}),
		store.WithMigrations(store.MigrationSource{Name: "android", FS: android.Migrations()}))
	w := newAPIWorldOf(t, st, []mdm.Registration{ios.Registration(), android.Registration()})
	ctx := context.Background()
	admin := w.session(w.tenant, mdm.RoleAdmin)
	_, _, page := w.page(http.MethodGet, "/ui/", admin, nil)
	for _, want := range []string{`id="setup-checklist"`, `<a href="/ui/settings#apple">Apple-MDM-Push-Zertifikat hochladen (für iPhones)</a> – noch offen`,
		`<a href="/ui/settings#android">Android-Unternehmen verbinden (für Android-Telefone)</a> – noch offen`,
		`<a href="/ui/apple/vpp">Apps-und-Bücher-Token hochladen (Apps für iPhones)</a> – <strong>erledigt</strong>`,
		`<a href="/ui/policies">Erste Arbeitsrichtlinie anlegen</a> – noch offen`,
		`<a href="/ui/settings#contacts">Datenschutzkontakt angeben</a> – noch offen`,
		`<a href="/ui/invitations">Erste Einladung erstellen</a> – noch offen`} {
		if !strings.Contains(page, want) {
			t.Errorf("the overview lacks %s:\n%.4000s", want, page)
		}
	}
	if _, _, page := w.page(http.MethodGet, "/ui/", w.session(w.tenant, mdm.RoleHelpdesk), nil); strings.Contains(page, "setup-checklist") {
		t.Error("the helpdesk is shown the set-up")
	}

	platformSetUp(t, st, w.tenant, mdm.PlatformIOS)
	platformSetUp(t, st, w.tenant, mdm.PlatformAndroid)
	w.policy(w.tenant)
	if _, err := w.svc.Enrolment.SetTenantContacts(ctx, "test", w.tenant, enrolment.Contacts{PrivacyContact: "Datenschutz Musterstadt"}); err != nil {
		t.Fatal(err)
	}
	_, _, page = w.page(http.MethodGet, "/ui/", admin, nil)
	if !strings.Contains(page, `<a href="/ui/invitations">Erste Einladung erstellen</a> – noch offen`) || strings.Count(page, "<strong>erledigt</strong>") != 5 {
		t.Errorf("with one step left:\n%.4000s", page)
	}
	w.invitation(w.tenant)
	if _, _, page = w.page(http.MethodGet, "/ui/", admin, nil); strings.Contains(page, "setup-checklist") {
		t.Error("the list stays after everything is done")
	}
}

// The helpdesk gives an employee a new code from the invitations page: the page answers
// with the new letter, and the old code no longer opens the portal.
func TestResendShowsTheNewLetter(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	ctx := context.Background()
	old, err := w.svc.Enrolment.Invite(ctx, "test", w.tenant, enrolment.InviteRequest{Email: "anna@musterstadt.example", Name: "Anna Berg", Platform: mdm.PlatformAndroid})
	if err != nil {
		t.Fatal(err)
	}
	helpdesk := w.session(w.tenant, mdm.RoleHelpdesk)
	_, _, list := w.page(http.MethodGet, "/ui/invitations", helpdesk, nil)
	if !strings.Contains(list, `action="/ui/invitations/resend"`) || !strings.Contains(list, "Neuer Code") {
		t.Fatalf("the list offers no new code:\n%.3000s", list)
	}
	code, _, page := w.page(http.MethodPost, "/ui/invitations/resend", helpdesk, url.Values{"email": {"anna@musterstadt.example"}})
	if code != http.StatusOK || !strings.Contains(page, "anna@musterstadt.example hat einen neuen Code") || !strings.Contains(page, "Guten Tag Anna Berg,") ||
		strings.Count(page, `<section class="letter"`) != 1 || strings.Contains(page, old.Code) {
		t.Fatalf("resend: %d\n%.3000s", code, page)
	}
	if _, err := w.svc.Enrolment.OpenInvitation(ctx, netip.Addr{}, old.Code); err == nil {
		t.Error("the old code still works")
	}
	if code, _, page := w.page(http.MethodPost, "/ui/invitations/resend", helpdesk, url.Values{"email": {"nobody@musterstadt.example"}}); code != http.StatusNotFound {
		t.Errorf("resend for nobody: %d\n%.1000s", code, page)
	}
}

// Invitations made by a script reach nobody until someone prints them: the invitations
// page counts them, and "print letters for all not yet sent" gives each a new code and
// one page of letters; those printed (in the dashboard) or mailed are left alone.
func TestLettersForAllUnsentInvitations(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	ctx := context.Background()
	helpdesk := w.session(w.tenant, mdm.RoleHelpdesk)
	var scripted []enrolment.NewInvitation
	for _, email := range []string{"anna@musterstadt.example", "bert@musterstadt.example"} {
		inv, err := w.svc.Enrolment.Invite(ctx, "test", w.tenant, enrolment.InviteRequest{Email: email, Platform: mdm.PlatformAndroid})
		if err != nil {
			t.Fatal(err)
		}
		scripted = append(scripted, inv)
	}
	if code, _, _ := w.page(http.MethodPost, "/ui/invitations", helpdesk, url.Values{"email": {"carla@musterstadt.example"}}); code != http.StatusOK {
		t.Fatalf("invite in the dashboard: %d", code)
	}
	_, _, list := w.page(http.MethodGet, "/ui/invitations", helpdesk, nil)
	if !strings.Contains(list, "2 offene Einladungen wurden weder per E-Mail verschickt noch als Brief gedruckt") || strings.Count(list, "noch nicht versandt") != 3 {
		t.Fatalf("the list:\n%.4000s", list)
	}
	code, _, page := w.page(http.MethodPost, "/ui/invitations/letters", helpdesk, url.Values{})
	if code != http.StatusOK || !strings.Contains(page, "2 Einladungen hatten noch niemanden erreicht") || strings.Count(page, `<section class="letter"`) != 2 ||
		!strings.Contains(page, `aria-label="anna@musterstadt.example"`) || strings.Contains(page, "carla@") {
		t.Fatalf("letters for the unsent: %d\n%.3000s", code, page)
	}
	for _, inv := range scripted {
		if _, err := w.svc.Enrolment.OpenInvitation(ctx, netip.Addr{}, inv.Code); err == nil {
			t.Errorf("the never handed out code of %s still works", inv.Employee.Email)
		}
	}
	if _, _, list = w.page(http.MethodGet, "/ui/invitations", helpdesk, nil); strings.Contains(list, `id="unsent"`) {
		t.Error("the printed invitations still count as unsent")
	}
	if code, to, _ := w.page(http.MethodPost, "/ui/invitations/letters", helpdesk, url.Values{}); code != http.StatusSeeOther || to != "/ui/invitations?done=none_unsent" {
		t.Errorf("nothing unsent: %d %q", code, to)
	}
}
