package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trennwand/trennwand/api"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// An administrator manages the tenant's dashboard administrators through the API as on
// the settings page: a new one gets a one-time password once, a refused request changes
// nothing, disabling is recorded, and the tenant never loses its last administrator.
func TestAdministratorsThroughTheAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		admin := w.tokens[mdm.RoleAdmin]
		code, body := w.call(http.MethodPost, "/api/v1/admins", admin, `{"email":"Berta@Musterstadt.example","role":"admin"}`)
		if code != http.StatusCreated {
			t.Fatalf("create: %d %s", code, body)
		}
		var made struct {
			Admin struct {
				ID                 string `json:"id"`
				Email              string `json:"email"`
				MustChangePassword bool   `json:"must_change_password"`
			} `json:"admin"`
			Password string `json:"password"`
		}
		decode(t, body, &made)
		if made.Password == "" || made.Admin.Email != "berta@musterstadt.example" || !made.Admin.MustChangePassword {
			t.Errorf("created = %s", body)
		}
		if strings.Contains(body, "totp") || strings.Contains(body, "hash") {
			t.Errorf("the answer carries more than the one-time password: %s", body)
		}
		if e := w.lastAudit(w.tenant); e.Action != "admin.create" {
			t.Errorf("last audit event = %s, want admin.create", e.Action)
		}
		before := len(w.auditActions(w.tenant))
		for _, bad := range []string{`{"email":"carl@musterstadt.example","role":"provider"}`, `{"email":"not an address","role":"dpo"}`,
			`{"email":"berta@musterstadt.example","role":"dpo"}`, `{"email":"x@musterstadt.example"}`} {
			if code, body := w.call(http.MethodPost, "/api/v1/admins", admin, bad); code != http.StatusBadRequest && code != http.StatusConflict {
				t.Errorf("create %s: %d %s, want 400 or 409", bad, code, body)
			}
		}
		path := "/api/v1/admins/" + made.Admin.ID + "/disable"
		if code, body := w.call(http.MethodPost, path, admin, ""); code != http.StatusConflict || !strings.Contains(body, "last administrator") {
			t.Errorf("disable the last administrator: %d %s, want 409", code, body)
		}
		if after := len(w.auditActions(w.tenant)); after != before {
			t.Errorf("refused requests wrote %d audit events", after-before)
		}
		helper := helpdeskAdminID(w, w.tenant)
		if code, body := w.call(http.MethodPost, "/api/v1/admins/"+helper+"/disable", admin, ""); code != http.StatusNoContent {
			t.Fatalf("disable: %d %s", code, body)
		}
		_, body = w.call(http.MethodGet, "/api/v1/admins", admin, "")
		var list struct {
			Admins []struct {
				ID         string  `json:"id"`
				DisabledAt *string `json:"disabled_at"`
			} `json:"admins"`
		}
		decode(t, body, &list)
		disabled := map[string]bool{}
		for _, a := range list.Admins {
			disabled[a.ID] = a.DisabledAt != nil
		}
		if len(list.Admins) != 2 || !disabled[helper] || disabled[made.Admin.ID] {
			t.Errorf("administrators = %s", body)
		}
		if e := w.lastAudit(w.tenant); e.Action != "admin.disable" {
			t.Errorf("last audit event = %s, want admin.disable", e.Action)
		}
	})
}

// The contacts the portal names are read and set through the API with the rules of the
// settings page: the data-protection contact must not be empty.
func TestContactsThroughTheAPI(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	admin := w.tokens[mdm.RoleAdmin]
	before := len(w.auditActions(w.tenant))
	for _, bad := range []string{`{"employer":"Stadt","privacy_contact":"  "}`, `{"privacy_contact":"` + strings.Repeat("x", 501) + `"}`, `{"employer":"Stadt"}`} {
		if code, body := w.call(http.MethodPut, "/api/v1/contacts", admin, bad); code != http.StatusBadRequest {
			t.Errorf("set %.60s: %d %s, want 400", bad, code, body)
		}
	}
	if after := len(w.auditActions(w.tenant)); after != before {
		t.Errorf("refused changes wrote %d audit events", after-before)
	}
	code, body := w.call(http.MethodPut, "/api/v1/contacts", admin, `{"employer":"Stadt Musterstadt","operator":"KDN Köln","privacy_contact":"Frau Datenschutz, dsb@musterstadt.example"}`)
	if code != http.StatusOK {
		t.Fatalf("set: %d %s", code, body)
	}
	_, body = w.call(http.MethodGet, "/api/v1/contacts", admin, "")
	if !strings.Contains(body, `"employer":"Stadt Musterstadt"`) || !strings.Contains(body, `"operator":"KDN Köln"`) {
		t.Errorf("contacts = %s", body)
	}
	if e := w.lastAudit(w.tenant); e.Action != "tenant.contacts" {
		t.Errorf("last audit event = %s, want tenant.contacts", e.Action)
	}
}

// The Apple push certificate and the Android enterprise are set through the API with the
// platforms' own checks, the same the settings page uses; the Pub/Sub push URL is shown
// once, in the binding's answer, and never cached.
func TestPlatformSettingsThroughTheAPI(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	admin := w.tokens[mdm.RoleAdmin]
	if code, body := w.call(http.MethodGet, "/api/v1/apple/push-certificate", admin, ""); code != http.StatusNotFound {
		t.Errorf("push certificate before the upload: %d %s, want 404", code, body)
	}
	if code, body := w.call(http.MethodPut, "/api/v1/apple/push-certificate", admin, `{"certificate":"not PEM","private_key":"neither"}`); code != http.StatusBadRequest {
		t.Errorf("upload of nonsense: %d %s, want 400", code, body)
	}
	if code, _ := w.call(http.MethodGet, "/api/v1/apple/push-certificate", admin, ""); code != http.StatusNotFound {
		t.Errorf("a refused upload stored a certificate: %d", code)
	}
	good := `{"certificate":` + jsonString(fakePushPEM) + `,"private_key":` + jsonString(fakeKeyPEM) + `}`
	if code, body := w.call(http.MethodPut, "/api/v1/apple/push-certificate", admin, good); code != http.StatusOK || !strings.Contains(body, `"topic":"com.apple.mgmt.External.`) {
		t.Errorf("upload: %d %s", code, body)
	}
	if code, body := w.call(http.MethodGet, "/api/v1/apple/push-certificate", admin, ""); code != http.StatusOK || !strings.Contains(body, `"expired":false`) {
		t.Errorf("push certificate after the upload: %d %s", code, body)
	}

	if code, body := w.call(http.MethodPut, "/api/v1/android/enterprise", admin, `{"enterprise":"LC0123"}`); code != http.StatusBadRequest {
		t.Errorf("bind without enterprises/: %d %s, want 400", code, body)
	}
	if code, _ := w.call(http.MethodGet, "/api/v1/android/enterprise", admin, ""); code != http.StatusNotFound {
		t.Errorf("a refused binding bound: %d", code)
	}
	req := httptest.NewRequest(http.MethodPut, "/api/v1/android/enterprise", strings.NewReader(`{"enterprise":"enterprises/LC0123"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+admin)
	rec := httptest.NewRecorder()
	w.srv.Echo().ServeHTTP(rec, req)
	w.checkAnswer(req, rec)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"pubsub_push_url":"https://`) ||
		!strings.Contains(rec.Body.String(), `"topic":"projects/trennwand-test/topics/trennwand-musterstadt"`) || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("bind: %d %q %s", rec.Code, rec.Header().Get("Cache-Control"), rec.Body.String())
	}
	if code, body := w.call(http.MethodGet, "/api/v1/android/enterprise", admin, ""); code != http.StatusOK || strings.Contains(body, "pubsub_push_url") {
		t.Errorf("binding: %d %s, want it without the push URL", code, body)
	}
	if code, body := w.call(http.MethodPost, "/api/v1/android/enterprise/signup", admin, ""); code != http.StatusOK || !strings.Contains(body, `"signup_url":"https://`) {
		t.Errorf("sign-up: %d %s", code, body)
	}
}

// On an installation without the Apple or the Android platform their routes answer 503
// with a problem, never 500.
func TestPlatformRoutesWithoutThePlatform(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	srv := api.New(api.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: prometheus.NewRegistry()})
	if err := srv.MountAPI(api.APIConfig{Service: w.svc, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}); err != nil {
		t.Fatal(err)
	}
	w.srv = srv
	for _, r := range []struct{ method, path, body string }{
		{http.MethodGet, "/api/v1/apple/push-certificate", ""},
		{http.MethodPut, "/api/v1/apple/push-certificate", `{"certificate":"a","private_key":"b"}`},
		{http.MethodGet, "/api/v1/android/enterprise", ""},
		{http.MethodPut, "/api/v1/android/enterprise", `{"enterprise":"enterprises/LC0"}`},
		{http.MethodPost, "/api/v1/android/enterprise/signup", ""},
		{http.MethodPost, "/api/v1/devices/" + w.device(w.tenant).ID + "/allow-certificate-renewal", `{"reason":"new phone"}`},
	} {
		if code, body := w.call(r.method, r.path, w.tokens[mdm.RoleAdmin], r.body); code != http.StatusServiceUnavailable ||
			!strings.Contains(body, "urn:trennwand:problem:service-unavailable") {
			t.Errorf("%s %s: %d %s, want 503", r.method, r.path, code, body)
		}
	}
}

// jsonString quotes s as a JSON string.
func jsonString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}
