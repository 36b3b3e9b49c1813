package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/android/amapifake"
	"github.com/trennwand/trennwand/api"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/ui/dashboard"
)

// mailApp is an Android app whose managed properties use every type the editor offers.
const mailApp = "de.example.mail"

func mailProperties() []*amapi.ManagedProperty {
	return []*amapi.ManagedProperty{
		{Key: "server", Type: "STRING", Title: "Mail server"},
		{Key: "port", Type: "INTEGER", Title: "Port"},
		{Key: "tls", Type: "BOOL", Title: "Use TLS"},
		{Key: "sync", Type: "CHOICE", Title: "Sync", Entries: []*amapi.ManagedPropertyEntry{{Value: "push", Name: "Push"}, {Value: "hourly", Name: "Hourly"}}},
		{Key: "folders", Type: "MULTISELECT", Title: "Folders", Entries: []*amapi.ManagedPropertyEntry{{Value: "inbox"}, {Value: "sent"}, {Value: "drafts"}}},
		{Key: "token", Type: "HIDDEN", Title: "Enrolment token"},
		{Key: "account", Type: "BUNDLE", Title: "Account", NestedProperties: []*amapi.ManagedProperty{
			{Key: "user", Type: "STRING", Title: "User"}, {Key: "quota", Type: "INTEGER", Title: "Quota"}}},
		{Key: "aliases", Type: "BUNDLE_ARRAY", Title: "Aliases", NestedProperties: []*amapi.ManagedProperty{
			{Key: "alias", Type: "BUNDLE", NestedProperties: []*amapi.ManagedProperty{{Key: "address", Type: "STRING", Title: "Address"}}}}},
	}
}

// editorWorld is the API world whose dashboard reads Android apps' schemas from the
// Android platform, bound to an enterprise of the AMAPI fake that knows mailApp.
func editorWorld(t *testing.T, backend string) *apiWorld {
	t.Helper()
	w, fake, p := androidWorld(t, backend)
	fake.AddApplication(mailApp, "Mail", mailProperties()...)
	if _, err := p.Bind(context.Background(), "admin:test", w.tenant, fake.CreateEnterprise("Musterstadt"), "projects/trennwand-test/topics/trennwand-musterstadt"); err != nil {
		t.Fatal(err)
	}
	w.mountDashboard(p, newFakeAndroid())
	return w
}

// androidWorld is the API world with the Android platform on the AMAPI fake, not bound
// yet; mountDashboard gives it its dashboard.
func androidWorld(t *testing.T, backend string) (*apiWorld, *amapifake.Fake, *android.Platform) {
	t.Helper()
	st := storetest.Open(t, backend, store.WithMigrations(store.MigrationSource{Name: "android", FS: android.Migrations()}))
	w := newAPIWorld(t, st)
	fake := amapifake.New()
	amapiSrv := httptest.NewServer(fake.Handler())
	t.Cleanup(amapiSrv.Close)
	client, err := android.NewClient(context.Background(), android.ClientConfig{Endpoint: amapiSrv.URL + "/", HTTPClient: amapiSrv.Client(), ProjectID: "trennwand-test"})
	if err != nil {
		t.Fatal(err)
	}
	public, _ := url.Parse("https://mdm.musterstadt.example")
	return w, fake, android.New(w.svc, st.Tables(), client, android.Config{PublicURL: public})
}

// mountDashboard serves a dashboard that reads app schemas from p, with a as its Android
// enterprise settings.
func (w *apiWorld) mountDashboard(p *android.Platform, a dashboard.AndroidEnterprise) {
	w.t.Helper()
	public, _ := url.Parse("https://mdm.musterstadt.example")
	w.srv = api.New(api.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: prometheus.NewRegistry()})
	d, err := dashboard.New(dashboard.Config{Service: w.svc, PublicURL: public, Schemas: api.DashboardSchemas(p),
		Play: api.DashboardPlay(p), Licensing: w.licensing, Apple: newFakeApple(), Android: a})
	if err != nil {
		w.t.Fatal(err)
	}
	w.srv.MountDashboard(w.svc, d)
}

// policyWith makes a work policy with one app and its configuration.
func (w *apiWorld) policyWith(a mdm.AppAssignment) mdm.WorkPolicy {
	w.t.Helper()
	p, err := w.svc.WorkPolicy.CreateWorkPolicy(context.Background(), "test", w.tenant, mdm.WorkPolicy{Name: "Mail " + mdm.NewID(), Apps: []mdm.AppAssignment{a}})
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

// editorForm is the policy editor's form as the browser sends it unchanged: the policy's
// fields and every app row, read from the page.
func editorForm(p mdm.WorkPolicy) url.Values {
	f := url.Values{"name": {p.Name}, "version": {"1"}}
	for _, a := range append(p.Apps, mdm.AppAssignment{Platform: mdm.PlatformAndroid}) {
		f.Add("app_id", a.AppID)
		f.Add("app_platform", string(a.Platform))
		f.Add("app_install", "required")
	}
	return f
}

func configOf(t *testing.T, w *apiWorld, id string) map[string]any {
	t.Helper()
	p, err := w.svc.WorkPolicy.WorkPolicy(context.Background(), w.tenant, id)
	if err != nil || len(p.Apps) != 1 {
		t.Fatalf("policy: %v, %d apps", err, len(p.Apps))
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(p.Apps[0].ManagedConfig), &got); err != nil {
		t.Fatal(err)
	}
	return got
}

// The editor shows an Android app's managed configuration as fields made from the app's
// schema, filled with the stored values, and stores what the fields say: typed, with
// empty fields left unset, nested bundles and a list of bundles. A value of the wrong
// type or outside a choice is refused with the key named, and nothing changes.
func TestPolicyEditorMakesAFormFromTheAndroidAppSchema(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			w := editorWorld(t, backend)
			admin := w.session(w.tenant, mdm.RoleAdmin)
			p := w.policyWith(mdm.AppAssignment{Platform: mdm.PlatformAndroid, AppID: mailApp, InstallType: mdm.InstallRequired,
				ManagedConfig: `{"server":"mail.rathaus.example","port":993,"folders":["inbox"],"aliases":[{"address":"a@rathaus.example"}]}`})
			_, _, body := w.page(http.MethodGet, "/ui/policies/"+p.ID, admin, nil)
			for _, want := range []string{
				`name="app_mode" value="schema"`,
				`id="cfg/0/server" name="cfg/0/server" type="text" value="mail.rathaus.example"`,
				`id="cfg/0/port" name="cfg/0/port" type="number" step="1" value="993"`,
				`name="cfg/0/folders" type="checkbox" value="inbox" checked`,
				`name="cfg/0/aliases/0/address" type="text" value="a@rathaus.example"`,
				`name="cfg/0/aliases/1/address" type="text" value=""`,
				`<option value="hourly">Hourly</option>`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("the editor lacks %s", want)
				}
			}
			if strings.Contains(body, `id="app_config-0"`) {
				t.Error("the app with a schema is shown as JSON as well")
			}

			form := editorForm(p)
			form.Set("app_mode", "schema")
			form.Add("app_mode", "json")
			form.Add("app_config", "")
			form.Add("app_config", "")
			form.Set("cfg/0/server", "imap.rathaus.example")
			form.Set("cfg/0/port", "143")
			form.Set("cfg/0/tls", "false")
			form.Set("cfg/0/sync", "push")
			form["cfg/0/folders"] = []string{"inbox", "sent"}
			form.Set("cfg/0/account/user", "rathaus")
			form.Set("cfg/0/aliases/0/", "1")
			form.Set("cfg/0/aliases/0/address", "")
			form.Set("cfg/0/aliases/1/", "1")
			form.Set("cfg/0/aliases/1/address", "b@rathaus.example")
			if code, _, body := w.page(http.MethodPost, "/ui/policies/"+p.ID, admin, form); code != http.StatusSeeOther {
				t.Fatalf("saving the form: %d\n%.600s", code, body)
			}
			want := map[string]any{"server": "imap.rathaus.example", "port": 143.0, "tls": false, "sync": "push",
				"folders": []any{"inbox", "sent"}, "account": map[string]any{"user": "rathaus"},
				"aliases": []any{map[string]any{"address": "b@rathaus.example"}}}
			if got := configOf(t, w, p.ID); !reflect.DeepEqual(got, want) {
				t.Errorf("stored configuration:\n got %v\nwant %v", got, want)
			}

			for field, value := range map[string]string{"cfg/0/port": "993.5", "cfg/0/sync": "daily", "cfg/0/account/quota": "lots"} {
				bad := url.Values{}
				for k, v := range form {
					bad[k] = v
				}
				bad.Set("version", "2")
				bad.Set(field, value)
				code, _, body := w.page(http.MethodPost, "/ui/policies/"+p.ID, admin, bad)
				key := field[strings.LastIndex(field, "/")+1:]
				if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="`+field+`-error"`) || !strings.Contains(body, value) {
					t.Errorf("%s = %q: %d, want 422 with the refusal next to %s and the value kept", field, value, code, key)
				}
			}
			if got := configOf(t, w, p.ID); got["port"] != 143.0 {
				t.Errorf("a refused form changed the configuration: %v", got)
			}
		})
	}
}

// An Android app whose stored configuration does not fit its schema, or that Google Play
// does not know, is edited as JSON with the reason, so that the form drops nothing.
func TestPolicyEditorFallsBackToJSONWhenTheSchemaDoesNotFit(t *testing.T) {
	w := editorWorld(t, storetest.SQLite)
	admin := w.session(w.tenant, mdm.RoleAdmin)
	p := w.policyWith(mdm.AppAssignment{Platform: mdm.PlatformAndroid, AppID: mailApp, InstallType: mdm.InstallRequired,
		ManagedConfig: `{"colour":"blue"}`})
	_, _, body := w.page(http.MethodGet, "/ui/policies/"+p.ID, admin, nil)
	if !strings.Contains(body, `id="app_config-0"`) || !strings.Contains(body, "colour") {
		t.Errorf("a configuration outside the schema is not offered as JSON with the reason")
	}
	p = w.policyWith(mdm.AppAssignment{Platform: mdm.PlatformAndroid, AppID: "de.example.unknown", InstallType: mdm.InstallRequired})
	_, _, body = w.page(http.MethodGet, "/ui/policies/"+p.ID, admin, nil)
	if !strings.Contains(body, `id="app_config-0"`) || !strings.Contains(body, "not in Google Play") {
		t.Errorf("an app Google Play does not know is not offered as JSON with the reason")
	}
}

// An iOS app's configuration is edited as typed key/value rows: a whole number, true or
// false, a list of strings one per line; a value that is not of its type is refused.
func TestPolicyEditorEditsIOSConfigurationAsTypedRows(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	admin := w.session(w.tenant, mdm.RoleAdmin)
	p := w.policyWith(mdm.AppAssignment{Platform: mdm.PlatformIOS, AppID: "com.example.mail", InstallType: mdm.InstallRequired,
		ManagedConfig: `{"server":"mail.rathaus.example","port":993}`})
	_, _, body := w.page(http.MethodGet, "/ui/policies/"+p.ID, admin, nil)
	if !strings.Contains(body, `name="app_mode" value="rows"`) || !strings.Contains(body, `>mail.rathaus.example</textarea>`) {
		t.Fatalf("the iOS app's configuration is not shown as rows:\n%s", body)
	}
	form := editorForm(p)
	form.Set("app_mode", "rows")
	form.Add("app_mode", "json")
	form.Add("app_config", "")
	form.Add("app_config", "")
	form["ios/0/key"] = []string{"port", "tls", "folders", ""}
	form["ios/0/type"] = []string{"integer", "boolean", "strings", "string"}
	form["ios/0/value"] = []string{"143", "true", "Inbox\r\nSent\r\n", ""}
	if code, _, body := w.page(http.MethodPost, "/ui/policies/"+p.ID, admin, form); code != http.StatusSeeOther {
		t.Fatalf("saving the rows: %d\n%.600s", code, body)
	}
	want := map[string]any{"port": 143.0, "tls": true, "folders": []any{"Inbox", "Sent"}}
	if got := configOf(t, w, p.ID); !reflect.DeepEqual(got, want) {
		t.Errorf("stored configuration: %v, want %v", got, want)
	}
	form.Set("version", "2")
	form["ios/0/value"] = []string{"993", "yes", "", ""}
	if code, _, body := w.page(http.MethodPost, "/ui/policies/"+p.ID, admin, form); code != http.StatusUnprocessableEntity || !strings.Contains(body, "tls") ||
		!strings.Contains(body, `id="config-0-error"`) || !strings.Contains(body, ">yes</textarea>") {
		t.Errorf("a boolean that says yes: %d, want 422 naming tls with the rows kept", code)
	}
}
