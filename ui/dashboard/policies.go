package dashboard

import (
	"context"
	"fmt"
	"net/http"
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
// JSON, and an empty row for another app.
func (d *Dashboard) policy(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	p, err := d.svc.WorkPolicy.WorkPolicy(r.Context(), v.Tenant, r.PathValue("id"))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	e := d.editorOf(r.Context(), v.Tenant, p)
	e.Catalogue = d.catalogueOf(r)
	d.show(w, r, "policy.html", "policy.title", page{Data: e, Flash: flash(r)})
}

// policyEditor is the editor's form: the policy and one row per app plus an empty one,
// with the tenant's Apps and Books catalogue by bundle ID, which iOS apps are picked from.
type policyEditor struct {
	Policy    mdm.WorkPolicy
	Apps      []appEditor
	Catalogue map[string]mdm.LicensedApp
}

func (d *Dashboard) editorOf(ctx context.Context, t mdm.Tenant, p mdm.WorkPolicy) policyEditor {
	apps := append(append([]mdm.AppAssignment(nil), p.Apps...),
		mdm.AppAssignment{Platform: mdm.PlatformAndroid, InstallType: mdm.InstallRequired, ManagedConfig: mdm.EmptyJSONObject})
	return policyEditor{Policy: p, Apps: d.appEditors(ctx, t, apps)}
}

// policyFromForm reads the editor's form. Rows without an app ID, and rows whose install
// type says "remove", are left out; each managed configuration is read in the way its row
// showed it (see configFromForm).
func (d *Dashboard) policyFromForm(r *http.Request) (mdm.WorkPolicy, error) {
	p := mdm.WorkPolicy{Name: r.PostFormValue("name"), Description: r.PostFormValue("description"),
		WorkPasscodeRequired: r.PostFormValue("work_passcode_required") == "on",
		CopyPasteToPersonal:  r.PostFormValue("copy_paste_to_personal") == "on",
		Version:              atoi(r.PostFormValue("version"))}
	ids, platforms, installs, configs := r.PostForm["app_id"], r.PostForm["app_platform"], r.PostForm["app_install"], r.PostForm["app_config"]
	modes := r.PostForm["app_mode"]
	if len(platforms) != len(ids) || len(installs) != len(ids) || len(configs) != len(ids) || (modes != nil && len(modes) != len(ids)) {
		return p, fmt.Errorf("%w: the app rows of the form are incomplete", mdm.ErrInvalid)
	}
	for i, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" || installs[i] == "remove" {
			continue
		}
		mode := modeJSON
		if modes != nil {
			mode = modes[i]
		}
		cfg, err := d.configFromForm(r.Context(), viewerOf(r).Tenant, r.PostForm, i, mode, id, configs[i])
		if err != nil {
			return p, fmt.Errorf("managed configuration of %s: %w", id, err)
		}
		p.Apps = append(p.Apps, mdm.AppAssignment{Platform: mdm.Platform(platforms[i]), AppID: id,
			InstallType: mdm.InstallType(installs[i]), ManagedConfig: cfg})
	}
	return p, nil
}

// createPolicy makes a work policy from the list page's form and opens its editor.
func (d *Dashboard) createPolicy(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	p, err := d.policyFromForm(r)
	if err == nil {
		p, err = d.svc.WorkPolicy.CreateWorkPolicy(r.Context(), v.Principal.Actor, v.Tenant, p)
	}
	if err != nil {
		d.fail(w, r, err)
		return
	}
	back(w, r, Prefix+"/policies/"+p.ID, "saved")
}

// updatePolicy saves the editor. A form made on an older version is refused and shown
// again with the message, so that nobody overwrites a colleague's change unseen.
func (d *Dashboard) updatePolicy(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	p, err := d.policyFromForm(r)
	p.ID = r.PathValue("id")
	if err == nil {
		_, err = d.svc.WorkPolicy.UpdateWorkPolicy(r.Context(), v.Principal.Actor, v.Tenant, p)
	}
	if err != nil {
		d.fail(w, r, err)
		return
	}
	back(w, r, Prefix+"/policies/"+p.ID, "saved")
}
