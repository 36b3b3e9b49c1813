package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/trennwand/trennwand/mdm"
)

// PlayCatalogue is managed Google Play as the policy editor picks Android apps from it:
// in the managed Google Play iframe (its page script asks the JSON API for the web
// token) or, without JavaScript, by looking an app up on the server.
type PlayCatalogue interface {
	// PlayApp returns what Google Play knows of the app for the tenant's enterprise;
	// mdm.ErrNotFound when it has no such app, mdm.ErrInvalid when the tenant has no
	// Android enterprise.
	PlayApp(ctx context.Context, t mdm.Tenant, packageName string) (PlayApp, error)
	// PlayIframeOrigin is the origin the managed Google Play iframe is served from.
	PlayIframeOrigin() string
	// PlayScriptOrigin is the origin of the gapi script (/js/api.js) that opens the
	// iframe and delivers its onproductselect event.
	PlayScriptOrigin() string
}

// PlayApp is an app of Google Play.
type PlayApp struct {
	PackageName, Title string
}

// playPicker is the editor's part for Android apps: the origins of the iframe and of
// the gapi script that opens it, and the server-side look-up with its query and result.
type playPicker struct {
	Origin       string
	ScriptOrigin string
	Query        string
	Results      []PlayApp
	Error        *fieldMsg
}

// playPickerOf returns the Android picker, nil without Android.
func (d *Dashboard) playPickerOf() *playPicker {
	if d.cfg.Play == nil {
		return nil
	}
	return &playPicker{Origin: d.cfg.Play.PlayIframeOrigin(), ScriptOrigin: d.cfg.Play.PlayScriptOrigin()}
}

// addApp is the catalogues' form target: "pick" adds the app it names ("android:PACKAGE"
// from the iframe or a look-up's result, "ios:BUNDLE" from Apps and Books) to the form,
// with its configuration's form; "play_query" looks an Android app up in Google Play.
// Nothing is saved: the form comes back with everything typed so far and the new app, to
// be configured and saved.
func (d *Dashboard) addApp(w http.ResponseWriter, r *http.Request) {
	ctx, t := r.Context(), viewerOf(r).Tenant
	saved, err := d.svc.WorkPolicy.WorkPolicy(ctx, t, r.PathValue("id"))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	_, e, ok := d.readEditor(r, -1)
	e.Saved, e.Play = saved, d.playPickerOf()
	status := http.StatusOK
	if pick := r.PostFormValue("pick"); pick != "" {
		if msg := d.pick(ctx, t, &e, pick); msg != nil {
			e.Error, status = msg, http.StatusUnprocessableEntity
		} else {
			e.Unsaved = true
		}
	} else if e.Play != nil {
		e.Play.Query = r.PostFormValue("play_query")
		e.Play.Results, e.Play.Error = d.lookUp(ctx, t, e.Play.Query)
		if e.Play.Error != nil {
			status = http.StatusUnprocessableEntity
		}
	}
	if !ok {
		status = http.StatusUnprocessableEntity
	}
	d.showEditor(w, r, status, e, "")
}

// pick adds the app value names to the editor, as a required app with an empty
// configuration; it returns why it cannot.
func (d *Dashboard) pick(ctx context.Context, t mdm.Tenant, e *policyEditor, value string) *fieldMsg {
	platform, appID, err := ParsePick(value)
	if err != nil {
		return &fieldMsg{ID: "policy.error.pick"}
	}
	if e.has(platform, appID) {
		return &fieldMsg{ID: "policy.error.twice", Data: map[string]any{"App": appID}}
	}
	title := ""
	switch platform {
	case mdm.PlatformAndroid:
		if d.cfg.Play == nil {
			return &fieldMsg{ID: "policy.error.pick"}
		}
		app, err := d.cfg.Play.PlayApp(ctx, t, appID)
		if err != nil {
			return d.playRefusal(appID, err)
		}
		title = app.Title
	case mdm.PlatformIOS:
		a, ok := d.catalogueOf(ctx, t)[appID]
		if !ok {
			return &fieldMsg{ID: "policy.error.not_in_catalogue", Data: map[string]any{"App": appID}}
		}
		title = a.Name
	}
	added := d.appEditor(ctx, t, mdm.AppAssignment{Platform: platform, AppID: appID, InstallType: mdm.InstallRequired,
		ManagedConfig: mdm.EmptyJSONObject}, len(e.Apps))
	added.Title = title
	e.Apps = append(e.Apps, added)
	e.Policy.Apps = append(e.Policy.Apps, added.AppAssignment)
	return nil
}

// lookUp finds the Android app a query names (its package name, or its address in
// Google Play) for the editor's search without JavaScript.
func (d *Dashboard) lookUp(ctx context.Context, t mdm.Tenant, query string) ([]PlayApp, *fieldMsg) {
	pkg, err := PlayPackage(query)
	if err != nil {
		return nil, &fieldMsg{ID: "policy.error.query"}
	}
	app, err := d.cfg.Play.PlayApp(ctx, t, pkg)
	if err != nil {
		return nil, d.playRefusal(pkg, err)
	}
	return []PlayApp{app}, nil
}

// playRefusal is the editor's message for a look-up in Google Play that failed.
func (d *Dashboard) playRefusal(pkg string, err error) *fieldMsg {
	switch {
	case errors.Is(err, mdm.ErrNotFound):
		return &fieldMsg{ID: "policy.error.not_in_play", Data: map[string]any{"App": pkg}}
	case errors.Is(err, mdm.ErrInvalid):
		return &fieldMsg{ID: "policy.error.no_enterprise"}
	}
	d.cfg.Log.Warn("look up an app in Google Play", "app", pkg, "error", err)
	return &fieldMsg{ID: "policy.schema_unavailable"}
}

// ParsePick reads the value of a catalogue's choice, "android:PACKAGE" or "ios:BUNDLE",
// as the platform and a valid app identifier of it.
func ParsePick(value string) (mdm.Platform, string, error) {
	name, appID, ok := strings.Cut(value, ":")
	platform, err := mdm.ParsePlatform(name)
	if !ok || err != nil {
		return "", "", fmt.Errorf("%w: %q names no platform's app", mdm.ErrInvalid, value)
	}
	a := mdm.AppAssignment{Platform: platform, AppID: appID, InstallType: mdm.InstallRequired}
	if err := a.Validate(); err != nil {
		return "", "", err
	}
	return platform, appID, nil
}

// PlayPackage reads what an administrator types to find an Android app: its package
// name, or its address in Google Play (https://play.google.com/store/apps/details?id=…).
func PlayPackage(query string) (string, error) {
	query = strings.TrimSpace(query)
	if u, err := url.Parse(query); err == nil && (u.Scheme == "https" || u.Scheme == "http") {
		if !strings.EqualFold(u.Hostname(), "play.google.com") || !strings.HasPrefix(u.Path, "/store/apps/details") {
			return "", fmt.Errorf("%w: %q is not an app's page in Google Play", mdm.ErrInvalid, query)
		}
		query = u.Query().Get("id")
	}
	_, pkg, err := ParsePick(string(mdm.PlatformAndroid) + ":" + query)
	return pkg, err
}
