package dashboard

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
)

// SSODiscovery is what a provider's discovery document says, as "test connection" shows it.
type SSODiscovery struct {
	Issuer, AuthorizationEndpoint, TokenEndpoint, EndSessionEndpoint string
	PKCE                                                             bool // the provider names S256 among its PKCE methods
}

// SSOCheck fetches and checks an issuer's discovery document; mdm.ErrInvalid says what is
// wrong with it. The server fills it, since the dashboard speaks to no provider itself.
type SSOCheck interface {
	Discover(ctx context.Context, issuer string) (SSODiscovery, error)
}

// SSOChoice is the sign-in page's button for a tenant's provider.
type SSOChoice struct {
	Tenant, DisplayName string
	Required            bool // only break-glass administrators may use the password form
}

// SignInBase is where browsers reach the server for a sign-in through the provider: the
// public URL, or localhost where none is set (tests).
func (d *Dashboard) SignInBase() *url.URL {
	if d.cfg.PublicURL == nil {
		return &url.URL{Scheme: "https", Host: "localhost"}
	}
	return d.cfg.PublicURL
}

// SSOContinuePage tells the browser, signed in through its provider, where to go on.
func (d *Dashboard) SSOContinuePage(w http.ResponseWriter, r *http.Request, next string) {
	d.render(w, r, http.StatusOK, "sso_continue.html", "sso.continue_title", map[string]any{"Next": next})
}

// ssoRoutes are the tenant's single sign-on settings.
func (d *Dashboard) ssoRoutes() []Route {
	post := http.MethodPost
	return []Route{
		{http.MethodGet, Prefix + "/settings/sso", mdm.PermSettingsManage, d.sso},
		{post, Prefix + "/settings/sso", mdm.PermSettingsManage, d.saveSSO},
		{post, Prefix + "/settings/sso/test", mdm.PermSettingsManage, d.testSSO},
		{post, Prefix + "/settings/sso/break-glass", mdm.PermSettingsManage, d.setBreakGlass},
	}
}

// ssoView is the single sign-on page: the provider as set (nil before), the form as sent
// when it was refused, the redirect URI to register, the result of "test connection" and
// the administrators who may be break-glass.
type ssoView struct {
	Provider    *access.SSOProvider
	Form        access.SSOSettings
	RedirectURI string
	// EmployeeRedirectURIs are the callbacks of the employees' sign-in to register too.
	EmployeeRedirectURIs []string
	CanTest              bool
	Tested               *SSODiscovery
	TestError            string
	Admins               []breakGlassRow
	MFARules             []access.MFARule
	// Linked says whether the viewer's own account is linked to the provider; the page
	// offers the link while it is not.
	Linked bool
}

// breakGlassRow is an administrator who signs in with a password, with their mark.
type breakGlassRow struct {
	mdm.Admin
	BreakGlass bool
}

func (d *Dashboard) sso(w http.ResponseWriter, r *http.Request) {
	d.showSSO(w, r, page{Flash: flash(r)}, nil)
}

// showSSO renders the page; form, when given, is what a refused form sent.
func (d *Dashboard) showSSO(w http.ResponseWriter, r *http.Request, p page, with func(*ssoView)) {
	ctx, t := r.Context(), viewerOf(r).Tenant
	v := ssoView{RedirectURI: d.SignInBase().JoinPath(Prefix, "signin/sso", t.Name, "callback").String(), CanTest: d.cfg.SSOCheck != nil,
		EmployeeRedirectURIs: d.cfg.EmployeeRedirectURIs,
		MFARules:             access.MFARules, Form: access.SSOSettings{GroupsClaim: "groups", MFA: access.MFAByAMR, Scopes: []string{"openid", "email", "profile"}}}
	prov, err := d.svc.Access.SSO().Provider(ctx, t.ID)
	if err != nil && !errors.Is(err, mdm.ErrNotFound) {
		d.fail(w, r, err)
		return
	}
	if err == nil {
		v.Provider = &prov
		v.Form = access.SSOSettings{DisplayName: prov.DisplayName, Issuer: prov.Issuer, ClientID: prov.ClientID, GroupsClaim: prov.GroupsClaim,
			Scopes: prov.Scopes, AdminGroups: prov.AdminGroups, HelpdeskGroups: prov.HelpdeskGroups, DPOGroups: prov.DPOGroups,
			MFA: prov.MFA, MFAValues: prov.MFAValues, Required: prov.Required, EmployeesConfirm: prov.EmployeesConfirm}
	}
	admins, err := d.svc.Access.Admins(ctx, t)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	marked, err := d.svc.Access.SSO().BreakGlassAdmins(ctx, t.ID)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	if id, ok := strings.CutPrefix(viewerOf(r).Principal.Actor, "admin:"); ok && v.Provider != nil {
		if v.Linked, err = d.svc.Access.SSO().Linked(ctx, mdm.Admin{ID: id, TenantID: t.ID}); err != nil {
			d.fail(w, r, err)
			return
		}
	}
	for _, a := range admins {
		if a.PasswordHash != "" && !a.Disabled() {
			v.Admins = append(v.Admins, breakGlassRow{Admin: a, BreakGlass: slices.Contains(marked, a.ID)})
		}
	}
	if with != nil {
		with(&v)
	}
	p.Data = v
	d.show(w, r, "sso.html", "sso.title", p)
}

// ssoFromForm reads the settings form: lists one entry a line, scopes and MFA values
// also separated by spaces.
func ssoFromForm(r *http.Request) access.SSOSettings {
	return access.SSOSettings{DisplayName: r.PostFormValue("display_name"), Issuer: r.PostFormValue("issuer"),
		ClientID: r.PostFormValue("client_id"), ClientSecret: r.PostFormValue("client_secret"), GroupsClaim: r.PostFormValue("groups_claim"),
		Scopes: strings.Fields(r.PostFormValue("scopes")), AdminGroups: strings.Split(r.PostFormValue("admin_groups"), "\n"),
		HelpdeskGroups: strings.Split(r.PostFormValue("helpdesk_groups"), "\n"), DPOGroups: strings.Split(r.PostFormValue("dpo_groups"), "\n"),
		MFA: access.MFARule(r.PostFormValue("mfa")), MFAValues: strings.Fields(r.PostFormValue("mfa_values")),
		Required: r.PostFormValue("required") == "on", EmployeesConfirm: r.PostFormValue("employees_confirm") == "on"}
}

// saveSSO stores the tenant's provider; a refused form is shown again as sent, without
// the secret.
func (d *Dashboard) saveSSO(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	in := ssoFromForm(r)
	if _, err := d.svc.Access.SSO().SetProvider(r.Context(), v.Principal.Actor, v.Tenant, in); err != nil {
		in.ClientSecret = ""
		d.refusedOn(w, r, err, func(w http.ResponseWriter, r *http.Request, p page) {
			d.showSSO(w, r, p, func(v *ssoView) { v.Form = in })
		})
		return
	}
	back(w, r, Prefix+"/settings/sso", "saved")
}

// testSSO fetches the discovery document of the issuer in the form and shows what it
// says, or what is wrong with it. It changes nothing.
func (d *Dashboard) testSSO(w http.ResponseWriter, r *http.Request) {
	issuer := strings.TrimSpace(r.PostFormValue("issuer"))
	if d.cfg.SSOCheck == nil {
		d.showSSO(w, r, page{}, nil)
		return
	}
	found, err := d.cfg.SSOCheck.Discover(r.Context(), issuer)
	d.showSSO(w, r, page{}, func(v *ssoView) {
		if err != nil {
			v.TestError = err.Error()
			return
		}
		v.Tested = &found
	})
}

// setBreakGlass marks an administrator as break-glass, or removes the mark.
func (d *Dashboard) setBreakGlass(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	err := d.svc.Access.SSO().SetBreakGlass(r.Context(), v.Principal.Actor, v.Tenant, r.PostFormValue("admin"), r.PostFormValue("on") == "true")
	if err != nil {
		d.refusedOn(w, r, err, func(w http.ResponseWriter, r *http.Request, p page) { d.showSSO(w, r, p, nil) })
		return
	}
	back(w, r, Prefix+"/settings/sso", "saved")
}
