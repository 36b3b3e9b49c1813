package dashboard

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/trennwand/trennwand/mdm"
)

// policies lists the work policies with the form for a new one.
func (d *Dashboard) policies(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	ps, err := d.svc.WorkPolicy.WorkPolicies(r.Context(), v.Tenant)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.show(w, r, "policies.html", "policies.title", page{Data: ps, Flash: flash(r)})
}

// policy shows the editor of one work policy: its rules and apps, each app's managed
// configuration as a form made from the app's schema (Android), as typed rows (iOS) or as
// JSON, and the catalogues new apps are picked from.
func (d *Dashboard) policy(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	p, err := d.svc.WorkPolicy.WorkPolicy(r.Context(), v.Tenant, r.PathValue("id"))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	e := policyEditor{Saved: p, Policy: p, Apps: d.appEditors(r.Context(), v.Tenant, p.Apps)}
	d.showEditor(w, r, http.StatusOK, e, flash(r))
}

// policyEditor is the editor's form: the policy, one row per app, and the catalogues:
// the tenant's Apps and Books apps by bundle ID, which iOS apps are picked from, and
// managed Google Play for Android apps.
type policyEditor struct {
	// Saved is the policy as stored, for the page's heading; Policy is what the form
	// holds.
	Saved     mdm.WorkPolicy
	Policy    mdm.WorkPolicy
	Apps      []appEditor
	Catalogue map[string]mdm.LicensedApp
	// IOSApps are the Apps and Books apps the policy does not have yet, by name.
	IOSApps []mdm.LicensedApp
	Play    *playPicker // nil without Android
	// Unsaved says that the form shows changes not saved yet (an app just picked).
	Unsaved bool
	// Error is a refusal of the whole form; a field's refusal stands next to it.
	Error *fieldMsg
}

// showEditor renders the editor with the catalogues.
func (d *Dashboard) showEditor(w http.ResponseWriter, r *http.Request, status int, e policyEditor, flash string) {
	v := viewerOf(r)
	if e.Saved.ID == "" {
		saved, err := d.svc.WorkPolicy.WorkPolicy(r.Context(), v.Tenant, e.Policy.ID)
		if err != nil {
			d.fail(w, r, err)
			return
		}
		e.Saved = saved
	}
	e.Catalogue = d.catalogueOf(r.Context(), v.Tenant)
	e.IOSApps = e.iosPicks()
	if e.Play == nil {
		e.Play = d.playPickerOf()
	}
	if e.Play != nil && e.Play.Origin != "" && e.Play.ScriptOrigin != "" {
		// The managed Google Play iframe and the gapi script that opens it come from
		// Google; the page runs scripts of that one origin beside its own, lets the
		// iframe's one origin be framed in it, and nothing frame the page itself.
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self' "+e.Play.ScriptOrigin+
			"; frame-src "+e.Play.Origin+"; frame-ancestors 'none'")
	}
	// A form target shows the editor; its links (the language switch) lead to the policy's
	// own page.
	at := r.Clone(r.Context())
	at.URL.Path = Prefix + "/policies/" + e.Policy.ID
	d.render(w, at, status, "policy.html", "policy.title", page{Viewer: v, Data: e, Flash: flash})
}

// iosPicks returns the catalogue's apps the policy lacks, by name.
func (e policyEditor) iosPicks() []mdm.LicensedApp {
	var out []mdm.LicensedApp
	for _, a := range e.Catalogue {
		if !e.has(mdm.PlatformIOS, a.BundleID) {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b mdm.LicensedApp) int { return strings.Compare(a.Name+a.BundleID, b.Name+b.BundleID) })
	return out
}

// has reports whether the editor holds the app.
func (e policyEditor) has(p mdm.Platform, appID string) bool {
	return slices.ContainsFunc(e.Apps, func(a appEditor) bool { return a.Platform == p && a.AppID == appID })
}

// readEditor reads the posted editor, leaving out the app row numbered skip (-1 for
// none): the policy it asks for, and the editor that shows the form again as it was
// typed, with each refusal next to its field. It reports false when something was
// refused.
func (d *Dashboard) readEditor(r *http.Request, skip int) (mdm.WorkPolicy, policyEditor, bool) {
	ctx, t := r.Context(), viewerOf(r).Tenant
	form := r.PostForm
	p := mdm.WorkPolicy{ID: r.PathValue("id"), Name: form.Get("name"), Description: form.Get("description"),
		WorkPasscodeRequired: form.Get("work_passcode_required") == "on",
		CopyPasteToPersonal:  form.Get("copy_paste_to_personal") == "on",
		PersonalUsage: mdm.PersonalUsage{MaxDaysWorkOff: formDays(form.Get("max_days_work_off")),
			PersonalCameraDisabled:        form.Get("personal_camera_disabled") == "on",
			PersonalScreenCaptureDisabled: form.Get("personal_screen_capture_disabled") == "on"},
		Version: atoi(form.Get("version"))}
	e := policyEditor{Policy: p}
	ids, platforms, installs, configs, modes, titles := form["app_id"], form["app_platform"], form["app_install"], form["app_config"], form["app_mode"], form["app_title"]
	// Forms of older pages send neither modes nor titles: their rows are JSON.
	if modes == nil {
		modes = make([]string, len(ids))
	}
	if titles == nil {
		titles = make([]string, len(ids))
	}
	if n := len(ids); len(platforms) != n || len(installs) != n || len(configs) != n || len(modes) != n || len(titles) != n {
		e.Error = &fieldMsg{ID: "policy.error.incomplete"}
		return p, e, false
	}
	ok := true
	for i, id := range ids {
		// A row without an app is the empty row older pages offered for a new app.
		if i == skip || strings.TrimSpace(id) == "" {
			continue
		}
		row := postedRow{Platform: platforms[i], AppID: strings.TrimSpace(id), Install: installs[i], Mode: modes[i], JSON: configs[i], Title: titles[i]}
		a, shown, rowOK := d.readRow(ctx, t, form, i, len(e.Apps), row)
		ok = ok && rowOK
		p.Apps = append(p.Apps, a)
		e.Apps = append(e.Apps, shown)
	}
	e.Policy.Apps = p.Apps
	return p, e, ok
}

// refusedForm shows the editor again with what was typed and the refusal err, if the
// caller's input is what was refused (422) or a newer version was saved meanwhile (409);
// it reports false for any other error, which the caller answers.
func (d *Dashboard) refusedForm(w http.ResponseWriter, r *http.Request, e policyEditor, err error) bool {
	switch {
	case errors.Is(err, mdm.ErrInvalid):
		e.Error = refused("policy.error.policy", err)
		d.showEditor(w, r, http.StatusUnprocessableEntity, e, "")
	case errors.Is(err, mdm.ErrConflict):
		// A colleague saved meanwhile: what was typed stays on the page to be carried
		// over, and the form cannot overwrite their version.
		e.Error = &fieldMsg{ID: "policy.error.conflict"}
		d.showEditor(w, r, http.StatusConflict, e, "")
	default:
		return false
	}
	return true
}

// createPolicy makes a work policy from the list page's form and opens its editor.
func (d *Dashboard) createPolicy(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	p := mdm.WorkPolicy{Name: r.PostFormValue("name"), Description: r.PostFormValue("description")}
	p, err := d.svc.WorkPolicy.CreateWorkPolicy(r.Context(), v.Principal.Actor, v.Tenant, p)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	back(w, r, Prefix+"/policies/"+p.ID, "saved")
}

// updatePolicy saves the editor. Input that is refused shows the form again (422) with
// everything as it was typed and the reason next to the field; a form made on an older
// version is refused, so that nobody overwrites a colleague's change unseen.
func (d *Dashboard) updatePolicy(w http.ResponseWriter, r *http.Request) {
	d.savePolicy(w, r, -1)
}

// removeApp saves the editor without the app row the pressed button names ("remove"):
// removing an app is a change of the policy like any other, in its audit trail.
func (d *Dashboard) removeApp(w http.ResponseWriter, r *http.Request) {
	skip, err := strconv.Atoi(r.PostFormValue("remove"))
	if err != nil || skip < 0 || skip >= len(r.PostForm["app_id"]) {
		d.Problem(w, r, http.StatusBadRequest, "policy.error.remove")
		return
	}
	d.savePolicy(w, r, skip)
}

// savePolicy saves the posted editor without the app row skip (-1: all rows).
func (d *Dashboard) savePolicy(w http.ResponseWriter, r *http.Request, skip int) {
	v := viewerOf(r)
	p, e, ok := d.readEditor(r, skip)
	if !ok {
		d.showEditor(w, r, http.StatusUnprocessableEntity, e, "")
		return
	}
	if _, err := d.svc.WorkPolicy.UpdateWorkPolicy(r.Context(), v.Principal.Actor, v.Tenant, p); err != nil {
		if !d.refusedForm(w, r, e, err) {
			d.fail(w, r, err)
		}
		return
	}
	back(w, r, Prefix+"/policies/"+p.ID, "saved")
}

// formDays reads a number of days from a form: 0 for an empty field, and -1, which the
// policy's check refuses, for anything that is not a number.
func formDays(s string) int {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}
