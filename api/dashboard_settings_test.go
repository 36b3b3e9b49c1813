package api_test

import (
	"bytes"
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/trennwand/trennwand/api"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// upload sends a multipart form with files to the dashboard, as a browser's file input does.
func (w *apiWorld) upload(path string, s session, files map[string]string) (int, string) {
	w.t.Helper()
	return w.uploadIn("", path, s, files)
}

// uploadIn is upload from a browser that asks for the language lang (none when empty).
func (w *apiWorld) uploadIn(lang, path string, s session, files map[string]string) (int, string) {
	w.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", s.csrf)
	for field, content := range files {
		fw, _ := mw.CreateFormFile(field, field+".pem")
		_, _ = fw.Write([]byte(content))
	}
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: "trennwand_session", Value: s.token})
	askFor(req, lang)
	rec := httptest.NewRecorder()
	w.srv.Echo().ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// lastAudit returns the tenant's newest audit event.
func (w *apiWorld) lastAudit(tn mdm.Tenant) audit.Event {
	w.t.Helper()
	events, err := w.svc.Trail.AuditPage(context.Background(), tn, mdm.AuditFilter{}, 0, mdm.MaxPageSize)
	if err != nil || len(events) == 0 {
		w.t.Fatalf("audit trail: %v, %d events", err, len(events))
	}
	return events[len(events)-1]
}

// An administrator sets retention and the inactivity rule on the settings page with the
// rules of `trennwand dataprotection set`: a rule outside them is refused with the reason
// and changes nothing; a good change is stored and audited.
func TestSettingsPageKeepsTheDataProtectionRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		admin := w.session(w.tenant, mdm.RoleAdmin)
		form := func(inactivity, retention string) url.Values {
			return url.Values{"device_retention_days": {retention}, "audit_retention_years": {"5"}, "inactivity_days": {inactivity},
				"inactivity_grace_days": {"7"}, "inactivity_action": {"remove"}, "it_email": {" IT@Musterstadt.example "}}
		}
		code, _, body := w.page(http.MethodPost, "/ui/settings/dataprotection", admin, form("45", "30"))
		if code != http.StatusBadRequest || !strings.Contains(body, "inactivity must be 0 (off), 30, 60 or 90 days") {
			t.Errorf("inactivity of 45 days: %d, want 400 with the rule:\n%.800s", code, body)
		}
		if code, _, _ := w.page(http.MethodPost, "/ui/settings/dataprotection", admin, form("60", "thirty")); code != http.StatusBadRequest {
			t.Errorf("a retention that is no number: %d, want 400", code)
		}
		dp, _ := w.svc.DataProtection.TenantDataProtection(context.Background(), w.tenant)
		if dp != dataprotection.DefaultDataProtection(w.tenant.ID) {
			t.Errorf("refused forms changed the settings: %+v", dp)
		}
		if code, to, _ := w.page(http.MethodPost, "/ui/settings/dataprotection", admin, form("60", "90")); code != http.StatusSeeOther || to != "/ui/settings?done=saved" {
			t.Fatalf("good settings: %d to %q, want 303 to the settings", code, to)
		}
		dp, _ = w.svc.DataProtection.TenantDataProtection(context.Background(), w.tenant)
		if dp.InactivityDays != 60 || dp.DeviceRetentionDays != 90 || dp.InactivityAction != dataprotection.InactivityRemove || dp.ITContactEmail != "it@musterstadt.example" {
			t.Errorf("stored settings: %+v", dp)
		}
		if e := w.lastAudit(w.tenant); e.Action != "dataprotection.update" || !strings.HasPrefix(e.Actor, "admin:") {
			t.Errorf("last audit event: %s by %s, want dataprotection.update by the admin", e.Action, e.Actor)
		}
		if _, _, body := w.page(http.MethodGet, "/ui/settings", admin, nil); !strings.Contains(body, `value="90"`) {
			t.Error("the settings page does not show the stored retention")
		}
	})
}

// The data-protection contact that the portal shows cannot be emptied from the page.
func TestSettingsPageRequiresTheDataProtectionContact(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	admin := w.session(w.tenant, mdm.RoleAdmin)
	if code, _, _ := w.page(http.MethodPost, "/ui/settings/contacts", admin, url.Values{"privacy_contact": {"  "}}); code != http.StatusBadRequest {
		t.Errorf("an empty contact: %d, want 400", code)
	}
	w.page(http.MethodPost, "/ui/settings/contacts", admin, url.Values{"employer": {"Stadt Musterstadt"}, "operator": {"KommunalIT Nord"},
		"privacy_contact": {"Datenschutz, ds@musterstadt.example"}})
	tn, _ := w.svc.TenantByID(context.Background(), w.tenant.ID)
	if tn.DisplayName != "Stadt Musterstadt" || tn.OperatorName != "KommunalIT Nord" || tn.PrivacyContact != "Datenschutz, ds@musterstadt.example" {
		t.Errorf("contacts after saving: %q, %q, %q", tn.DisplayName, tn.OperatorName, tn.PrivacyContact)
	}
	if e := w.lastAudit(w.tenant); e.Action != "tenant.contacts" || !strings.Contains(string(e.Details), `"employer":"Stadt Musterstadt"`) {
		t.Errorf("the change is audited as %s %s", e.Action, e.Details)
	}
	if _, _, body := w.page(http.MethodGet, "/ui/settings", admin, nil); !strings.Contains(body, `id="employer" name="employer" type="text" required maxlength="200" value="Stadt Musterstadt"`) {
		t.Error("the settings do not show the employer's name")
	}
}

// The push certificate is uploaded as two files; without them, or with files the platform
// refuses, the page says why. Once uploaded the page shows its topic and expiry.
func TestSettingsPageUploadsThePushCertificate(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	admin := w.session(w.tenant, mdm.RoleAdmin)
	if _, _, body := w.page(http.MethodGet, "/ui/settings", admin, nil); !strings.Contains(body, `<p id="push-status">`) {
		t.Error("the page does not say that the tenant has no push certificate")
	}
	if code, body := w.upload("/ui/settings/apple", admin, map[string]string{"cert": fakePushPEM}); code != http.StatusBadRequest || !strings.Contains(body, "Datei des privaten Schlüssels") {
		t.Errorf("without the key: %d, want 400 naming the key", code)
	}
	if code, _ := w.upload("/ui/settings/apple", admin, map[string]string{"cert": "junk", "key": fakeKeyPEM}); code != http.StatusBadRequest {
		t.Errorf("a certificate the platform refuses: %d, want 400", code)
	}
	if code, _ := w.upload("/ui/settings/apple", admin, map[string]string{"cert": fakePushPEM, "key": fakeKeyPEM}); code != http.StatusSeeOther {
		t.Fatalf("a good upload: %d, want 303", code)
	}
	if _, _, body := w.page(http.MethodGet, "/ui/settings", admin, nil); !strings.Contains(body, "com.apple.mgmt.External."+w.tenant.ID) {
		t.Error("the page does not show the uploaded certificate's topic")
	}
}

// Binding an Android enterprise shows the Pub/Sub push URL once; afterwards the page names
// the enterprise and its topic, not the secret. The sign-up sends the browser to Google.
func TestSettingsPageBindsAnAndroidEnterprise(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	admin := w.session(w.tenant, mdm.RoleAdmin)
	if code, _, body := w.page(http.MethodPost, "/ui/settings/android/bind", admin, url.Values{"enterprise": {"LC0123"}}); code != http.StatusBadRequest || !strings.Contains(body, "schreiben Sie enterprises/ID") {
		t.Errorf("an enterprise without its prefix: %d, want 400 with the form to write", code)
	}
	code, _, body := w.page(http.MethodPost, "/ui/settings/android/bind", admin, url.Values{"enterprise": {"enterprises/LC0123"}})
	pushURL := regexp.MustCompile(`id="push-url">([^<]+)<`).FindStringSubmatch(body)
	if code != http.StatusOK || pushURL == nil || !strings.Contains(pushURL[1], "/android/pubsub?token=") {
		t.Fatalf("binding: %d, want the page with the push URL:\n%.800s", code, body)
	}
	_, _, body = w.page(http.MethodGet, "/ui/settings", admin, nil)
	if !strings.Contains(body, "enterprises/LC0123") || !strings.Contains(body, "projects/trennwand-test/topics/trennwand-musterstadt") {
		t.Error("the page does not show the binding with the default topic")
	}
	if strings.Contains(body, "token=") {
		t.Error("the push URL's secret is shown again")
	}
	if code, to, _ := w.page(http.MethodPost, "/ui/settings/android/signup", admin, url.Values{}); code != http.StatusSeeOther || !strings.HasPrefix(to, "https://enterprise.google.com/") {
		t.Errorf("sign-up: %d to %q, want 303 to Google", code, to)
	}
}

// An administrator creates a colleague, who signs in with the one-time password shown
// once and sets up the second factor; disabling the colleague ends their session at once
// and their password no longer opens one. Nobody disables themselves or the tenant's
// last administrator.
func TestAdminsPageCreatesAndDisablesAdministrators(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		ctx := context.Background()
		me := w.session(w.tenant, mdm.RoleAdmin)
		code, _, body := w.page(http.MethodPost, "/ui/settings/admins", me, url.Values{"email": {"Helpdesk@Musterstadt.example"}, "role": {"helpdesk"}})
		password := regexp.MustCompile(`id="one-time-password">([A-Z2-7]+)<`).FindStringSubmatch(body)
		if code != http.StatusOK || password == nil {
			t.Fatalf("creating an administrator: %d, want the page with the one-time password:\n%.800s", code, body)
		}
		token, sess, err := w.svc.Access.SignIn(ctx, w.tenant.Name, "helpdesk@musterstadt.example", password[1], "198.51.100.1")
		if err != nil || sess.Stage != access.StageTOTPSetup {
			t.Fatalf("the colleague's first sign-in: %v at %s, want the second factor's set-up", err, sess.Stage)
		}
		secret, _, _ := w.svc.Access.TOTPSetup(ctx, token)
		otp, _ := totp.GenerateCode(secret, time.Now())
		factor, err := w.svc.Access.SecondFactor(ctx, token, otp, "198.51.100.1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Access.ChangePassword(ctx, factor.Token, "the colleague's own password"); err != nil {
			t.Fatal(err)
		}
		var id string
		as, _ := w.svc.Access.Admins(ctx, w.tenant)
		for _, a := range as {
			if a.Email == "helpdesk@musterstadt.example" {
				id = a.ID
			}
		}
		if code, to, _ := w.page(http.MethodPost, "/ui/settings/admins/"+id+"/disable", me, url.Values{}); code != http.StatusSeeOther || to != "/ui/settings/admins?done=disabled" {
			t.Fatalf("disabling: %d to %q", code, to)
		}
		if e := w.lastAudit(w.tenant); e.Action != "admin.disable" || e.Subject != "admin:"+id {
			t.Errorf("last audit event: %s %s, want admin.disable of the colleague", e.Action, e.Subject)
		}
		if _, _, err := w.svc.Access.SessionFor(ctx, token); !errors.Is(err, mdm.ErrUnauthenticated) {
			t.Errorf("the disabled colleague's session: %v, want it ended", err)
		}
		if _, _, err := w.svc.Access.SignIn(ctx, w.tenant.Name, "helpdesk@musterstadt.example", "the colleague's own password", "198.51.100.1"); !errors.Is(err, mdm.ErrUnauthenticated) {
			t.Errorf("the disabled colleague signs in: %v, want refused", err)
		}
		if code, _, body := w.page(http.MethodPost, "/ui/settings/admins/"+id+"/disable", me, url.Values{}); code != http.StatusBadRequest || !strings.Contains(body, "disabled already") {
			t.Errorf("disabling again: %d, want 400 saying so", code)
		}
		myID := ""
		as, _ = w.svc.Access.Admins(ctx, w.tenant)
		for _, a := range as {
			if a.Role == mdm.RoleAdmin {
				myID = a.ID
			}
		}
		if code, _, body := w.page(http.MethodPost, "/ui/settings/admins/"+myID+"/disable", me, url.Values{}); code != http.StatusBadRequest || !strings.Contains(body, "nicht selbst deaktivieren") {
			t.Errorf("disabling oneself: %d, want 400 saying why", code)
		}
		if err := w.svc.Access.DisableAdmin(ctx, "cli:root", w.tenant, myID); !errors.Is(err, mdm.ErrConflict) {
			t.Errorf("disabling the last administrator: %v, want a conflict", err)
		}
	})
}

// An API token is shown once when made, works on the API, shows its last use in the list
// and is refused from the moment it is revoked.
func TestTokensPageCreatesListsAndRevokesTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		admin := w.session(w.tenant, mdm.RoleAdmin)
		if code, _, _ := w.page(http.MethodPost, "/ui/settings/tokens", admin, url.Values{"name": {"nightly"}, "role": {"provider"}}); code != http.StatusBadRequest {
			t.Errorf("a provider token from a tenant's page: %d, want 400", code)
		}
		code, _, body := w.page(http.MethodPost, "/ui/settings/tokens", admin, url.Values{"name": {"nightly export"}, "role": {"dpo"}, "validity_days": {"30"}})
		secret := regexp.MustCompile(`id="token">(twk_[a-z2-7]+)<`).FindStringSubmatch(body)
		if code != http.StatusOK || secret == nil {
			t.Fatalf("creating a token: %d, want the page with the token:\n%.800s", code, body)
		}
		if code, _ := w.call(http.MethodGet, "/api/v1/audit/events", secret[1], ""); code != http.StatusOK {
			t.Errorf("the new dpo token reads the audit trail: %d, want 200", code)
		}
		_, _, list := w.page(http.MethodGet, "/ui/settings/tokens", admin, nil)
		row := regexp.MustCompile(`(?s)<tr><td>nightly export</td>.*?</tr>`).FindString(list)
		if row == "" || strings.Count(row, " UTC") < 3 {
			t.Fatalf("the list's row of the token shows no last use:\n%s", row)
		}
		id := regexp.MustCompile(`/ui/settings/tokens/([^/]+)/revoke`).FindStringSubmatch(row)
		if code, to, _ := w.page(http.MethodPost, "/ui/settings/tokens/"+id[1]+"/revoke", admin, url.Values{}); code != http.StatusSeeOther || to != "/ui/settings/tokens?done=token_revoked" {
			t.Fatalf("revoking: %d to %q", code, to)
		}
		if code, _ := w.call(http.MethodGet, "/api/v1/audit/events", secret[1], ""); code != http.StatusUnauthorized {
			t.Errorf("the revoked token: %d, want 401", code)
		}
	})
}

// An administrator of one tenant names another tenant's Android enterprise on the
// settings page: refused with the reason, and nothing at Google changes.
func TestSettingsPageRefusesAnotherTenantsAndroidEnterprise(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			w, fake, p := androidWorld(t, backend)
			w.mountDashboard(p, api.DashboardAndroid(p))
			victim := fake.CreateEnterprise("Musterstadt")
			if _, err := p.Bind(context.Background(), "admin:test", w.tenant, victim, "projects/trennwand-test/topics/trennwand-musterstadt"); err != nil {
				t.Fatal(err)
			}
			before := fake.Snapshot()
			attacker := w.session(w.other, mdm.RoleAdmin)
			code, _, body := w.page(http.MethodPost, "/ui/settings/android/bind", attacker, url.Values{"enterprise": {victim}})
			if code != http.StatusBadRequest || !strings.Contains(body, "belongs to another tenant") {
				t.Errorf("binding another tenant's enterprise: %d, want 400 with the reason:\n%.800s", code, body)
			}
			if after := fake.Snapshot(); after != before {
				t.Errorf("Google's state changed:\nbefore %s\nafter  %s", before, after)
			}
			if b, err := p.CurrentBinding(context.Background(), w.tenant.ID); err != nil || b.Enterprise != victim {
				t.Errorf("the victim's binding: %+v, %v", b, err)
			}
		})
	}
}

// An Android device whose certificate was asked for with another key shows the security
// event on its page; an administrator allows a renewal there with a reason, a helpdesk
// account sees the event but not the form.
func TestDevicePageShowsARefusedCertificateKey(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	admin, helpdesk := w.session(w.tenant, mdm.RoleAdmin), w.session(w.tenant, mdm.RoleHelpdesk)
	d := w.device(w.tenant)
	page := "/ui/devices/" + d.ID
	_, _, body := w.page(http.MethodGet, page, helpdesk, nil)
	if !strings.Contains(body, `id="certificate-key-refused"`) || !strings.Contains(body, "2026-12-01 09:30 UTC") {
		t.Errorf("the page does not show the refused key:\n%.1500s", body)
	}
	if strings.Contains(body, "allow-certificate-renewal") {
		t.Error("helpdesk is offered the renewal")
	}
	code, to, _ := w.page(http.MethodPost, page+"/allow-certificate-renewal", admin, url.Values{"reason": {"companion app reinstalled"}, "confirm": {"yes"}})
	if code != http.StatusSeeOther || to != page+"?done=renewal_allowed" {
		t.Fatalf("allowing the renewal: %d to %q", code, to)
	}
	if code, _, body := w.page(http.MethodGet, page, admin, nil); !strings.Contains(body, `id="certificate-renewal-allowed"`) {
		t.Errorf("the page does not show the allowed renewal: %d\n%.3000s", code, body)
	}
}
