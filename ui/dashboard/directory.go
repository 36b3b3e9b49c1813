package dashboard

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/directory"
)

// directoryView is the directory's settings page: the settings, the rules as the form
// shows them, the last sync, and the outcome of a test or a sync just made.
type directoryView struct {
	Config   directory.Config
	Rules    string // one rule a line: GROUP = POLICY NAME [, invite]
	Policies []mdm.WorkPolicy
	Tested   *int              // people the tested settings select
	Synced   *directory.Result // what the sync just made did
}

// directoryRoutes are the directory's settings page and its forms, each the JSON API's
// operation of the same name.
func (d *Dashboard) directoryRoutes() []Route {
	post := http.MethodPost
	return []Route{
		{http.MethodGet, Prefix + "/settings/directory", mdm.PermSettingsManage, d.directoryPage},
		{post, Prefix + "/settings/directory", mdm.PermSettingsManage, d.saveDirectory},
		{post, Prefix + "/settings/directory/test", mdm.PermSettingsManage, d.testDirectory},
		{post, Prefix + "/settings/directory/rules", mdm.PermSettingsManage, d.saveDirectoryRules},
		{post, Prefix + "/settings/directory/sync", mdm.PermSettingsManage, d.syncDirectory},
	}
}

func (d *Dashboard) directoryPage(w http.ResponseWriter, r *http.Request) {
	d.showDirectory(w, r, page{Flash: flash(r)}, directoryView{})
}

// showDirectory renders the page with what is stored, and the form's values when a form
// was refused.
func (d *Dashboard) showDirectory(w http.ResponseWriter, r *http.Request, p page, v directoryView) {
	ctx := r.Context()
	t := viewerOf(r).Tenant
	stored, err := d.svc.Directory.TenantConfig(ctx, t)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	if v.Config.LDAPURL == "" {
		v.Config = stored
	}
	v.Config.LastSyncAt, v.Config.LastSyncResult, v.Config.LastSyncError = stored.LastSyncAt, stored.LastSyncResult, stored.LastSyncError
	if v.Policies, err = d.svc.WorkPolicy.WorkPolicies(ctx, t); err != nil {
		d.fail(w, r, err)
		return
	}
	if v.Rules == "" {
		rules, err := d.svc.Directory.Rules(ctx, t)
		if err != nil {
			d.fail(w, r, err)
			return
		}
		v.Rules = rulesText(rules, v.Policies)
	}
	p.Data = v
	d.show(w, r, "directory.html", "directory.title", p)
}

// configFromForm reads the settings form.
func configFromForm(r *http.Request) directory.Config {
	f := r.PostFormValue
	c := directory.Config{LDAPURL: strings.TrimSpace(f("ldap_url")), StartTLS: f("start_tls") == "on", CAPEM: f("ca_pem"), BindDN: f("bind_dn"), BaseDN: f("base_dn"),
		UserFilter: f("filter"), DisabledFilter: f("disabled_filter"), IDAttr: f("id_attr"), EmailAttr: f("email_attr"),
		NameAttr: f("name_attr"), AppleIDAttr: f("apple_id_attr"), GroupAttr: f("group_attr")}
	c.GraceDays, _ = strconv.Atoi(f("grace_days"))
	c.SyncMinutes, _ = strconv.Atoi(f("sync_minutes"))
	return c
}

func (d *Dashboard) saveDirectory(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	c := configFromForm(r)
	if _, err := d.svc.Directory.SetConfig(r.Context(), v.Principal.Actor, v.Tenant, c, r.PostFormValue("bind_password")); err != nil {
		d.refusedOn(w, r, err, func(w http.ResponseWriter, r *http.Request, p page) {
			d.showDirectory(w, r, p, directoryView{Config: c})
		})
		return
	}
	back(w, r, Prefix+"/settings/directory", "saved")
}

func (d *Dashboard) testDirectory(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	c := configFromForm(r)
	n, err := d.svc.Directory.Test(r.Context(), v.Tenant, c, r.PostFormValue("bind_password"))
	if err != nil {
		d.refusedOn(w, r, err, func(w http.ResponseWriter, r *http.Request, p page) {
			d.showDirectory(w, r, p, directoryView{Config: c})
		})
		return
	}
	d.showDirectory(w, r, page{}, directoryView{Config: c, Tested: &n})
}

func (d *Dashboard) saveDirectoryRules(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	text := r.PostFormValue("rules")
	policies, err := d.svc.WorkPolicy.WorkPolicies(r.Context(), v.Tenant)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	rules, err := ParseRules(text, policies)
	if err == nil {
		_, err = d.svc.Directory.SetRules(r.Context(), v.Principal.Actor, v.Tenant, rules)
	}
	if err != nil {
		d.refusedOn(w, r, err, func(w http.ResponseWriter, r *http.Request, p page) {
			d.showDirectory(w, r, p, directoryView{Rules: text})
		})
		return
	}
	back(w, r, Prefix+"/settings/directory", "saved")
}

func (d *Dashboard) syncDirectory(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	res, err := d.svc.Directory.Sync(r.Context(), v.Principal.Actor, v.Tenant, r.PostFormValue("dry_run") == "on")
	if err != nil {
		d.refusedOn(w, r, err, func(w http.ResponseWriter, r *http.Request, p page) { d.showDirectory(w, r, p, directoryView{}) })
		return
	}
	d.showDirectory(w, r, page{}, directoryView{Synced: &res})
}

// ParseRules reads the rules form: one rule a line, "GROUP = POLICY" or "GROUP = POLICY,
// invite", the policy by name or ID; empty lines are skipped.
func ParseRules(text string, policies []mdm.WorkPolicy) ([]directory.Rule, error) {
	var rules []directory.Rule
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		group, rest, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%w: line %d: write GROUP = WORK POLICY, or GROUP = WORK POLICY, invite", mdm.ErrInvalid, i+1)
		}
		name, invite := strings.CutSuffix(strings.TrimSpace(rest), ",invite")
		if !invite {
			name, invite = strings.CutSuffix(name, ", invite")
		}
		name = strings.TrimSpace(name)
		id := ""
		for _, p := range policies {
			if p.Name == name || p.ID == name {
				id = p.ID
			}
		}
		if id == "" {
			return nil, fmt.Errorf("%w: line %d: there is no work policy %q", mdm.ErrInvalid, i+1, name)
		}
		rules = append(rules, directory.Rule{GroupName: strings.TrimSpace(group), PolicyID: id, AutoInvite: invite})
	}
	return rules, nil
}

// rulesText writes the rules as the form shows them.
func rulesText(rules []directory.Rule, policies []mdm.WorkPolicy) string {
	var b strings.Builder
	for _, r := range rules {
		name := r.PolicyID
		for _, p := range policies {
			if p.ID == r.PolicyID {
				name = p.Name
			}
		}
		fmt.Fprintf(&b, "%s = %s", r.GroupName, name)
		if r.AutoInvite {
			b.WriteString(", invite")
		}
		b.WriteString("\n")
	}
	return b.String()
}
