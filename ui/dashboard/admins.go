package dashboard

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
)

var (
	errNoProviderToken = mdm.Refuse("refusal.provider_token",
		fmt.Errorf("%w: a provider token is made on the command line (trennwand token create --role provider)", mdm.ErrInvalid))
	errValidityDays = mdm.Refuse("refusal.validity_days", fmt.Errorf("%w: the validity is a whole number of days", mdm.ErrInvalid))
)

// adminRoutes are the tenant's administrators and API tokens.
func (d *Dashboard) adminRoutes() []Route {
	get, post := http.MethodGet, http.MethodPost
	return []Route{
		{get, Prefix + "/settings/admins", mdm.PermSettingsManage, d.admins},
		{post, Prefix + "/settings/admins", mdm.PermSettingsManage, d.createAdmin},
		{post, Prefix + "/settings/admins/:id/disable", mdm.PermSettingsManage, d.disableAdmin},
		{post, Prefix + "/settings/admins/:id/reset-second-factor", mdm.PermSettingsManage, d.resetSecondFactor},
		{get, Prefix + "/settings/tokens", mdm.PermTokensManage, d.tokens},
		{post, Prefix + "/settings/tokens", mdm.PermTokensManage, d.createToken},
		{post, Prefix + "/settings/tokens/:id/revoke", mdm.PermTokensManage, d.revokeToken},
	}
}

// admins lists the tenant's administrators with the form for a new one.
func (d *Dashboard) admins(w http.ResponseWriter, r *http.Request) {
	d.showAdmins(w, r, page{Flash: flash(r)})
}

func (d *Dashboard) showAdmins(w http.ResponseWriter, r *http.Request, p page) {
	as, err := d.svc.Access.Admins(r.Context(), viewerOf(r).Tenant)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	p.Data = as
	d.show(w, r, "admins.html", "admins.title", p)
}

// createAdmin makes an administrator and shows the one-time password once; the new
// administrator sets up the second factor and their own password at first sign-in.
func (d *Dashboard) createAdmin(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	a, creds, err := d.svc.Access.CreateAdmin(r.Context(), v.Principal.Actor, v.Tenant, r.PostFormValue("email"), mdm.Role(r.PostFormValue("role")))
	if err != nil {
		d.refusedOn(w, r, err, d.showAdmins)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	d.show(w, r, "admin_created.html", "admin_created.title", page{Data: map[string]any{"Admin": a, "Password": creds.Password}})
}

// disableAdmin disables an administrator; their sessions end at once.
func (d *Dashboard) disableAdmin(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	if err := d.svc.Access.DisableAdmin(r.Context(), v.Principal.Actor, v.Tenant, r.PathValue("id")); err != nil {
		d.refusedOn(w, r, err, d.showAdmins)
		return
	}
	back(w, r, Prefix+"/settings/admins", "disabled")
}

// resetSecondFactor resets a colleague's lost second factor, with the reason; their
// sessions end, and they set up a new factor at the next sign-in.
func (d *Dashboard) resetSecondFactor(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	if err := d.svc.Access.ResetSecondFactor(r.Context(), v.Principal.Actor, v.Tenant, r.PathValue("id"), r.PostFormValue("reason")); err != nil {
		d.refusedOn(w, r, err, d.showAdmins)
		return
	}
	back(w, r, Prefix+"/settings/admins", "factor_reset")
}

// tokenRow is an API token as the list shows it.
type tokenRow struct {
	access.APIToken
	Active bool
}

// tokens lists the tenant's API tokens with their last use and the form for a new one.
func (d *Dashboard) tokens(w http.ResponseWriter, r *http.Request) {
	d.showTokens(w, r, page{Flash: flash(r)})
}

func (d *Dashboard) showTokens(w http.ResponseWriter, r *http.Request, p page) {
	toks, err := d.svc.Access.Tokens(r.Context(), viewerOf(r).Tenant)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	now := time.Now()
	rows := make([]tokenRow, len(toks))
	for i, t := range toks {
		rows[i] = tokenRow{APIToken: t, Active: t.Active(now)}
	}
	p.Data = struct {
		Tokens  []tokenRow
		SCIMURL string
	}{rows, d.scimURL()}
	d.show(w, r, "tokens.html", "tokens.title", p)
}

// createToken makes an API token and shows its secret, which exists only on this page.
func (d *Dashboard) createToken(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	req := access.TokenRequest{Name: r.PostFormValue("name"), Role: mdm.Role(r.PostFormValue("role"))}
	if req.Role == mdm.RoleProvider {
		d.refusedOn(w, r, errNoProviderToken, d.showTokens)
		return
	}
	if days := strings.TrimSpace(r.PostFormValue("validity_days")); days != "" {
		n, err := strconv.Atoi(days)
		if err != nil || n < 1 {
			d.refusedOn(w, r, errValidityDays, d.showTokens)
			return
		}
		req.Validity = time.Duration(n) * 24 * time.Hour
	}
	tok, secret, err := d.svc.Access.CreateToken(r.Context(), v.Principal.Actor, &v.Tenant, req)
	if err != nil {
		d.refusedOn(w, r, err, d.showTokens)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	d.show(w, r, "token_created.html", "token_created.title", page{Data: map[string]any{"Token": tok, "Secret": secret, "SCIMURL": d.scimURL()}})
}

// scimURL is where an identity provider provisions the tenant's employees with a token
// of the role scim.
func (d *Dashboard) scimURL() string { return d.SignInBase().JoinPath("/scim/v2/").String() }

// revokeToken revokes an API token; it is refused from its next request on.
func (d *Dashboard) revokeToken(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	if err := d.svc.Access.RevokeToken(r.Context(), v.Principal.Actor, v.Tenant, r.PathValue("id")); err != nil {
		d.fail(w, r, err)
		return
	}
	back(w, r, Prefix+"/settings/tokens", "token_revoked")
}
