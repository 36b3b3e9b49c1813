package api_test

import (
	"cmp"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/android/amapifake"
	"github.com/trennwand/trennwand/api"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// fakePlay is managed Google Play as the API's routes see it: every enterprise's Play has
// the public apps and the private apps made for its tenant.
type fakePlay struct {
	mu   sync.Mutex
	apps map[string]string // the private app's package by tenant ID
}

func newFakePlay() *fakePlay { return &fakePlay{apps: map[string]string{}} }

// private returns the package of a private app of the tenant's enterprise.
func (f *fakePlay) private(tn mdm.Tenant) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	pkg := "de." + tn.Name + ".intranet"
	f.apps[tn.ID] = pkg
	return pkg
}

func (f *fakePlay) PlayWebToken(_ context.Context, _ mdm.Tenant, parent string) (android.WebToken, error) {
	if _, err := android.ParentOrigin(parent); err != nil {
		return android.WebToken{}, err
	}
	return android.WebToken{IframeURL: "https://play.example/work/embedded/search?token=T&mode=SELECT", IframeOrigin: "https://play.example"}, nil
}

func (f *fakePlay) PlayApp(_ context.Context, tn mdm.Tenant, pkg string) (android.PlayApp, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.apps[tn.ID] != pkg {
		return android.PlayApp{}, mdm.ErrNotFound
	}
	return android.PlayApp{PackageName: pkg, Title: "Intranet"}, nil
}

// playWorld is the editor's world whose JSON API also reaches managed Google Play through
// the Android platform on the AMAPI fake, and the fake's own server, which serves the
// iframe's page and the gapi script.
func playWorld(t *testing.T, backend string) (*apiWorld, *amapifake.Fake, *httptest.Server) {
	t.Helper()
	return playWorldScript(t, backend, "")
}

// playWorldScript is playWorld with the gapi script served from scriptOrigin; "" means
// the fake's server.
func playWorldScript(t *testing.T, backend, scriptOrigin string) (*apiWorld, *amapifake.Fake, *httptest.Server) {
	t.Helper()
	w, fake, p := androidWorld(t, backend)
	fake.AddApplication(mailApp, "Mail", mailProperties()...)
	fake.AddApplication("de.example.chat", "Chat")
	if _, err := p.Bind(context.Background(), "admin:test", w.tenant, fake.CreateEnterprise("Musterstadt"), "projects/trennwand-test/topics/trennwand-musterstadt"); err != nil {
		t.Fatal(err)
	}
	play := httptest.NewTLSServer(fake.Handler())
	t.Cleanup(play.Close)
	public, _ := url.Parse("https://mdm.musterstadt.example")
	client, err := android.NewClient(context.Background(), android.ClientConfig{Endpoint: play.URL + "/", HTTPClient: play.Client(), ProjectID: "trennwand-test"})
	if err != nil {
		t.Fatal(err)
	}
	p = android.New(w.svc, w.store.Tables(), client, android.Config{PublicURL: public,
		PlayIframeURL: play.URL + amapifake.PathPlaySearch, PlayScriptOrigin: cmp.Or(scriptOrigin, play.URL)})
	w.mountDashboard(p, newFakeAndroid())
	if err := w.srv.MountAPI(api.APIConfig{Service: w.svc, PublicURL: public, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Licensing: w.licensing, Play: p}); err != nil {
		t.Fatal(err)
	}
	return w, fake, play
}

// editorCSP is the editor's Content-Security-Policy: scripts of its own and of the gapi
// script's origin, frames of the iframe's origin alone, framed by nothing.
func editorCSP(scriptOrigin, playOrigin string) string {
	return "default-src 'self'; script-src 'self' " + scriptOrigin + "; frame-src " + playOrigin + "; frame-ancestors 'none'"
}

// editorPost is the editor's form for the policy as the page shows it, unchanged.
func editorPost(p mdm.WorkPolicy, modes ...string) url.Values {
	f := url.Values{"name": {p.Name}, "version": {"1"}}
	for i, a := range p.Apps {
		f.Add("app_id", a.AppID)
		f.Add("app_platform", string(a.Platform))
		f.Add("app_install", string(a.InstallType))
		f.Add("app_mode", modes[i])
		f.Add("app_title", "")
		f.Add("app_config", "")
	}
	return f
}

// The administrator picks an Android app from managed Google Play: the app joins the form
// with its configuration's fields, nothing is saved until the policy is; an app Google
// Play does not know is refused. Without JavaScript the look-up finds the app by its
// package name or its address in Google Play.
func TestPolicyEditorPicksAnAndroidAppFromManagedGooglePlay(t *testing.T) {
	w, fake, play := playWorld(t, storetest.SQLite)
	admin := w.session(w.tenant, mdm.RoleAdmin)
	p := w.policy(w.tenant)
	req := httptest.NewRequest(http.MethodGet, "/ui/policies/"+p.ID, nil)
	req.AddCookie(&http.Cookie{Name: "trennwand_session", Value: admin.token})
	rec := httptest.NewRecorder()
	w.srv.Echo().ServeHTTP(rec, req)
	if csp := rec.Header().Get("Content-Security-Policy"); csp != editorCSP(play.URL, play.URL) {
		t.Errorf("the editor's page has the policy %q", csp)
	}
	if body := rec.Body.String(); !strings.Contains(body, `data-origin="`+play.URL+`"`) || !strings.Contains(body, `data-script-origin="`+play.URL+`"`) || !strings.Contains(body, `id="play_query"`) {
		t.Errorf("the editor offers neither the iframe nor the look-up")
	}
	calls := fake.Calls("applications.get")

	code, _, body := w.page(http.MethodPost, "/ui/policies/"+p.ID+"/apps", admin, url.Values{"name": {p.Name}, "version": {"1"}, "pick": {"android:" + mailApp}})
	if code != http.StatusOK || !strings.Contains(body, `id="policy-unsaved"`) || !strings.Contains(body, `name="cfg/0/server"`) || !strings.Contains(body, "Mail · "+mailApp) {
		t.Fatalf("picking the mail app: %d\n%.2000s", code, body)
	}
	if !strings.Contains(body, `href="/ui/policies/`+p.ID+`?lang=en"`) {
		t.Error("the language switch of the form shown again does not lead to the policy's page")
	}
	if fake.Calls("applications.get") == calls {
		t.Error("the pick was not checked with Google Play")
	}
	if got, _ := w.svc.WorkPolicy.WorkPolicy(context.Background(), w.tenant, p.ID); len(got.Apps) != 0 || got.Version != 1 {
		t.Errorf("picking saved the policy: %+v", got)
	}
	form := editorPost(mdm.WorkPolicy{Name: p.Name, Apps: []mdm.AppAssignment{{Platform: mdm.PlatformAndroid, AppID: mailApp, InstallType: mdm.InstallRequired}}}, "schema")
	form.Set("cfg/0/server", "mail.rathaus.example")
	if code, _, body := w.page(http.MethodPost, "/ui/policies/"+p.ID, admin, form); code != http.StatusSeeOther {
		t.Fatalf("saving the picked app: %d\n%.600s", code, body)
	}
	if got := configOf(t, w, p.ID); got["server"] != "mail.rathaus.example" {
		t.Errorf("stored configuration: %v", got)
	}

	for pick, want := range map[string]string{"android:de.example.unknown": "Google Play kennt", "android:" + mailApp: "bereits in der Richtlinie",
		"android:not a package": "kann nicht hinzugefügt werden", "windows:de.example.mail": "kann nicht hinzugefügt werden"} {
		after := editorPost(mdm.WorkPolicy{Name: p.Name, Apps: []mdm.AppAssignment{{Platform: mdm.PlatformAndroid, AppID: mailApp, InstallType: mdm.InstallRequired}}}, "schema")
		after.Set("version", "2")
		after.Set("cfg/0/server", "typed but not saved")
		after.Set("pick", pick)
		code, _, body := w.page(http.MethodPost, "/ui/policies/"+p.ID+"/apps", admin, after)
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, want) || !strings.Contains(body, `value="typed but not saved"`) {
			t.Errorf("pick %q: %d, want 422 saying %q with the input kept", pick, code, want)
		}
	}

	for query, want := range map[string]string{
		"https://play.google.com/store/apps/details?id=de.example.chat&hl=de": `value="android:de.example.chat"`,
		" de.example.chat ": `value="android:de.example.chat"`,
	} {
		search := url.Values{"name": {p.Name}, "version": {"2"}, "search": {"1"}, "play_query": {query}}
		code, _, body := w.page(http.MethodPost, "/ui/policies/"+p.ID+"/apps?lang=en", admin, search)
		if code != http.StatusOK || !strings.Contains(body, want) || !strings.Contains(body, "Add Chat") {
			t.Errorf("looking up %q: %d, want the app offered", query, code)
		}
	}
	search := url.Values{"name": {p.Name}, "version": {"2"}, "search": {"1"}, "play_query": {"chat app"}}
	code, _, body = w.page(http.MethodPost, "/ui/policies/"+p.ID+"/apps?lang=en", admin, search)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `value="chat app"`) || !strings.Contains(body, `id="play_query-error">Type an Android package name`) {
		t.Errorf("a look-up of no package name: %d, want 422 next to the field with the input kept\n%.3000s", code, body)
	}
}

// A value the app's schema refuses shows the form again (422) with everything as it was
// typed and the reason next to its field, in the reader's language; an invalid JSON
// configuration the same; nothing is saved. Fixed, it saves.
func TestPolicyEditorShowsRefusalsNextToTheFieldAndKeepsTheInput(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			w := editorWorld(t, backend)
			admin := w.session(w.tenant, mdm.RoleAdmin)
			p, err := w.svc.WorkPolicy.CreateWorkPolicy(context.Background(), "test", w.tenant, mdm.WorkPolicy{Name: "Rathaus", Apps: []mdm.AppAssignment{
				{Platform: mdm.PlatformAndroid, AppID: mailApp, InstallType: mdm.InstallRequired, ManagedConfig: `{"server":"mail.rathaus.example"}`},
				{Platform: mdm.PlatformAndroid, AppID: "de.example.unknown", InstallType: mdm.InstallAvailable, ManagedConfig: `{"a":1}`},
			}})
			if err != nil {
				t.Fatal(err)
			}
			form := editorPost(p, "schema", "json")
			form.Set("description", "typed description")
			form.Set("cfg/0/server", "imap.rathaus.example")
			form.Set("cfg/0/port", "993.5")
			form.Set("cfg/0/sync", "daily")
			form["app_config"] = []string{"", `{"a": 1,`}
			for lang, want := range map[string][]string{
				"de": {"„993.5“ ist keine ganze Zahl.", "„daily“ ist keiner der angebotenen Werte.", "Das ist kein gültiges JSON-Objekt"},
				"en": {"“993.5” is not a whole number.", "“daily” is not one of the offered values.", "This is not a valid JSON object"},
			} {
				code, _, body := w.page(http.MethodPost, "/ui/policies/"+p.ID+"?lang="+lang, admin, form)
				if code != http.StatusUnprocessableEntity {
					t.Fatalf("%s: %d, want 422\n%.600s", lang, code, body)
				}
				for _, kept := range append(want,
					`id="cfg/0/port" name="cfg/0/port" type="number" step="1" value="993.5" aria-invalid="true" aria-describedby="cfg/0/port-error"`,
					`<p class="problem" id="cfg/0/port-error">`, `<p class="problem" id="cfg/0/sync-error">`,
					`value="imap.rathaus.example"`, `value="typed description"`, `{&#34;a&#34;: 1,</textarea>`, `id="app_config-1-error"`,
					`<option value="available" selected>`, "Rathaus</h1>") {
					if !strings.Contains(body, kept) {
						t.Errorf("%s: the form shown again lacks %s", lang, kept)
					}
				}
			}
			got, _ := w.svc.WorkPolicy.WorkPolicy(context.Background(), w.tenant, p.ID)
			if got.Version != 1 || got.Description != "" || got.Apps[0].ManagedConfig != `{"server":"mail.rathaus.example"}` {
				t.Errorf("a refused form changed the policy: %+v", got)
			}
			form.Set("cfg/0/port", "993")
			form.Set("cfg/0/sync", "push")
			form["app_config"] = []string{"", `{"a": 2}`}
			if code, _, body := w.page(http.MethodPost, "/ui/policies/"+p.ID, admin, form); code != http.StatusSeeOther {
				t.Fatalf("the fixed form: %d\n%.600s", code, body)
			}
			got, _ = w.svc.WorkPolicy.WorkPolicy(context.Background(), w.tenant, p.ID)
			if got.Version != 2 || got.Description != "typed description" || got.Apps[1].ManagedConfig != `{"a":2}` {
				t.Errorf("the fixed form saved %+v", got)
			}
			// The same form again is one version behind: refused (409), with the input kept.
			form.Set("description", "a colleague's form")
			code, _, body := w.page(http.MethodPost, "/ui/policies/"+p.ID+"?lang=en", admin, form)
			if code != http.StatusConflict || !strings.Contains(body, "A colleague saved this policy meanwhile") || !strings.Contains(body, `value="a colleague&#39;s form"`) {
				t.Errorf("a stale form: %d, want 409 with the input kept", code)
			}
			if got, _ := w.svc.WorkPolicy.WorkPolicy(context.Background(), w.tenant, p.ID); got.Version != 2 || got.Description != "typed description" {
				t.Errorf("a stale form changed the policy: %+v", got)
			}
		})
	}
}

// Each app has its own button that removes it from the policy: the policy is saved
// without it (a new version, in the audit trail like any change), the other app keeps
// what was typed for it; the installation list offers only the installation modes. A
// removal that names no app of the form is refused and changes nothing.
func TestPolicyEditorRemovesAnAppWithItsOwnButton(t *testing.T) {
	w := editorWorld(t, storetest.SQLite)
	admin := w.session(w.tenant, mdm.RoleAdmin)
	p, err := w.svc.WorkPolicy.CreateWorkPolicy(context.Background(), "test", w.tenant, mdm.WorkPolicy{Name: "Rathaus", Apps: []mdm.AppAssignment{
		{Platform: mdm.PlatformAndroid, AppID: mailApp, InstallType: mdm.InstallRequired, ManagedConfig: `{"server":"mail.rathaus.example"}`},
		{Platform: mdm.PlatformIOS, AppID: "com.example.mail", InstallType: mdm.InstallRequired, ManagedConfig: `{"port":993}`},
	}})
	if err != nil {
		t.Fatal(err)
	}
	_, _, body := w.page(http.MethodGet, "/ui/policies/"+p.ID, admin, nil)
	if strings.Contains(body, `value="remove"`) || strings.Count(body, `formaction="/ui/policies/`+p.ID+`/apps/remove"`) != 2 {
		t.Errorf("the editor offers removal in the installation list, or not one button per app")
	}
	form := editorPost(p, "schema", "rows")
	form["ios/1/key"], form["ios/1/type"], form["ios/1/value"] = []string{"port"}, []string{"integer"}, []string{"143"}
	for _, remove := range []string{"2", "-1", "x", ""} {
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("remove", remove)
		if code, _, _ := w.page(http.MethodPost, "/ui/policies/"+p.ID+"/apps/remove", admin, bad); code != http.StatusBadRequest {
			t.Errorf("remove=%q: %d, want 400", remove, code)
		}
	}
	if got, _ := w.svc.WorkPolicy.WorkPolicy(context.Background(), w.tenant, p.ID); got.Version != 1 {
		t.Fatalf("a refused removal changed the policy: %+v", got)
	}
	form.Set("remove", "0")
	if code, to, body := w.page(http.MethodPost, "/ui/policies/"+p.ID+"/apps/remove", admin, form); code != http.StatusSeeOther || !strings.HasPrefix(to, "/ui/policies/"+p.ID) {
		t.Fatalf("removing the Android app: %d to %q\n%.600s", code, to, body)
	}
	got, _ := w.svc.WorkPolicy.WorkPolicy(context.Background(), w.tenant, p.ID)
	if got.Version != 2 || len(got.Apps) != 1 || got.Apps[0].AppID != "com.example.mail" || got.Apps[0].ManagedConfig != `{"port":143}` {
		t.Errorf("after the removal: %+v", got)
	}
	actions := w.auditActions(w.tenant)
	if last := actions[len(actions)-1]; !strings.HasPrefix(last, "policy.update work_policy:"+p.ID+" by admin:") {
		t.Errorf("the removal is audited as %q", last)
	}
}

// The administrator picks an iPhone app from the tenant's Apps and Books catalogue, which
// shows each app's name and free licences; the app joins the form as typed rows. An app
// outside the catalogue is refused.
func TestPolicyEditorPicksAnIPhoneAppFromAppsAndBooks(t *testing.T) {
	w := editorWorld(t, storetest.SQLite)
	admin := w.session(w.tenant, mdm.RoleAdmin)
	if _, err := w.licensing.SetLicenceToken(context.Background(), "test", w.tenant.ID, []byte("Stadt Musterstadt")); err != nil {
		t.Fatal(err)
	}
	p := w.policy(w.tenant)
	_, _, body := w.page(http.MethodGet, "/ui/policies/"+p.ID+"?lang=en", admin, nil)
	if !strings.Contains(body, "Mail<br>") || !strings.Contains(body, "4 of 5 free") || !strings.Contains(body, `value="ios:de.musterstadt.mail"`) {
		t.Fatalf("the Apps and Books catalogue is not offered:\n%s", body)
	}
	code, _, body := w.page(http.MethodPost, "/ui/policies/"+p.ID+"/apps", admin, url.Values{"name": {p.Name}, "version": {"1"}, "pick": {"ios:de.musterstadt.mail"}})
	if code != http.StatusOK || !strings.Contains(body, `name="app_mode" value="rows"`) || !strings.Contains(body, `<input type="hidden" name="app_id" value="de.musterstadt.mail">`) {
		t.Fatalf("picking the iPhone app: %d\n%.600s", code, body)
	}
	if strings.Contains(body, `value="ios:de.musterstadt.mail"`) {
		t.Error("the picked app is still offered in the catalogue")
	}
	code, _, _ = w.page(http.MethodPost, "/ui/policies/"+p.ID+"/apps", admin, url.Values{"name": {p.Name}, "version": {"1"}, "pick": {"ios:com.example.elsewhere"}})
	if code != http.StatusUnprocessableEntity {
		t.Errorf("an app outside the catalogue: %d, want 422", code)
	}
	form := editorPost(mdm.WorkPolicy{Name: p.Name, Apps: []mdm.AppAssignment{{Platform: mdm.PlatformIOS, AppID: "de.musterstadt.mail", InstallType: mdm.InstallRequired}}}, "rows")
	form["ios/0/key"], form["ios/0/type"], form["ios/0/value"] = []string{"server"}, []string{"string"}, []string{"mail.rathaus.example"}
	if code, _, body := w.page(http.MethodPost, "/ui/policies/"+p.ID, admin, form); code != http.StatusSeeOther {
		t.Fatalf("saving: %d\n%.600s", code, body)
	}
	if got := configOf(t, w, p.ID); got["server"] != "mail.rathaus.example" {
		t.Errorf("stored: %v", got)
	}
}

// The JSON API gives a web token of the tenant's own enterprise, for a page of an https
// origin: the iframe's address opens the fake's managed Google Play once, listing its
// apps. A tenant without an enterprise, or a parent that is no https origin, is refused
// before any call to Google.
func TestPlayWebTokenIsOnlyForTheTenantsOwnEnterprise(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			w, fake, play := playWorld(t, backend)
			admin := w.tokens[mdm.RoleAdmin]
			code, body := w.call(http.MethodPost, "/api/v1/android/enterprise/web-tokens", admin, `{"parent_frame_url":"https://mdm.musterstadt.example:8443"}`)
			if code != http.StatusCreated {
				t.Fatalf("web token: %d %s", code, body)
			}
			var tok struct{ IframeURL, IframeOrigin string }
			if err := json.Unmarshal([]byte(strings.NewReplacer("iframe_url", "IframeURL", "iframe_origin", "IframeOrigin").Replace(body)), &tok); err != nil {
				t.Fatal(err)
			}
			if tok.IframeOrigin != play.URL || !strings.HasPrefix(tok.IframeURL, play.URL+amapifake.PathPlaySearch+"?") || !strings.Contains(tok.IframeURL, "mode=SELECT") {
				t.Errorf("the iframe: %+v", tok)
			}
			open := func() (int, string) {
				res, err := play.Client().Get(tok.IframeURL)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				return res.StatusCode, string(b)
			}
			code, page := open()
			if code != http.StatusOK || !strings.Contains(page, `data-package="`+mailApp+`"`) || !strings.Contains(page, `"https://mdm.musterstadt.example:8443"`) {
				t.Errorf("the iframe's page: %d\n%s", code, page)
			}
			if code, _ := open(); code != http.StatusForbidden {
				t.Errorf("the token opened a second session: %d", code)
			}
			// The same default without a body: the server's public address.
			if code, body := w.call(http.MethodPost, "/api/v1/android/enterprise/web-tokens", admin, ""); code != http.StatusCreated {
				t.Errorf("without a parent: %d %s", code, body)
			}
			calls := fake.Calls("webTokens.create")
			for name, body := range map[string]string{"http": `{"parent_frame_url":"http://mdm.musterstadt.example"}`,
				"path": `{"parent_frame_url":"https://mdm.musterstadt.example/ui/policies"}`, "user": `{"parent_frame_url":"https://a@mdm.musterstadt.example"}`,
				"unknown field": `{"parent":"https://mdm.musterstadt.example"}`} {
				if code, answer := w.call(http.MethodPost, "/api/v1/android/enterprise/web-tokens", admin, body); code != http.StatusBadRequest || !strings.Contains(answer, `"status":400`) {
					t.Errorf("%s: %d %s, want a 400 problem", name, code, answer)
				}
			}
			// The other tenant has no enterprise: refused before Google is asked.
			_, other, err := w.svc.Access.CreateToken(context.Background(), "test", &w.other, access.TokenRequest{Name: "other", Role: mdm.RoleAdmin})
			if err != nil {
				t.Fatal(err)
			}
			if code, answer := w.call(http.MethodPost, "/api/v1/android/enterprise/web-tokens", other, ""); code != http.StatusBadRequest || !strings.Contains(answer, "no Android enterprise") {
				t.Errorf("a tenant without an enterprise: %d %s, want 400", code, answer)
			}
			if fake.Calls("webTokens.create") != calls {
				t.Errorf("refused requests reached Google: %d calls, want %d", fake.Calls("webTokens.create"), calls)
			}
		})
	}
}
