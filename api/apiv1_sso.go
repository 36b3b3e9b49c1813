package api

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/ui/output"
)

// ssoRoutes are the tenant's single sign-on for administrators: the provider, its test
// and the break-glass administrators. Each takes the settings permission, as the
// dashboard's page does, and calls the same service.
func ssoRoutes() []apiRoute {
	return []apiRoute{
		{http.MethodGet, "/sso", mdm.PermSettingsManage, (*apiV1).getSSO},
		{http.MethodPut, "/sso", mdm.PermSettingsManage, (*apiV1).setSSO},
		{http.MethodPost, "/sso/test", mdm.PermSettingsManage, (*apiV1).testSSO},
		{http.MethodPut, "/admins/:id/break-glass", mdm.PermSettingsManage, (*apiV1).setBreakGlass},
	}
}

// ssoJSON is the body of GET and PUT /sso; the secret is only ever written.
type ssoJSON struct {
	DisplayName     string   `json:"display_name"`
	Issuer          string   `json:"issuer"`
	ClientID        string   `json:"client_id"`
	ClientSecret    string   `json:"client_secret,omitempty"`
	ClientSecretSet bool     `json:"client_secret_set"`
	Scopes          []string `json:"scopes"`
	GroupsClaim     string   `json:"groups_claim"`
	AdminGroups     []string `json:"admin_groups"`
	HelpdeskGroups  []string `json:"helpdesk_groups"`
	DPOGroups       []string `json:"dpo_groups"`
	MFA             string   `json:"mfa"`
	MFAValues       []string `json:"mfa_values"`
	Required        bool     `json:"required"`
	// EmployeesConfirm asks employees to sign in at the provider before a phone is set up;
	// EmployeeRedirectURIs are the portal's and the phone's callbacks to register for it.
	EmployeesConfirm     bool     `json:"employees_confirm"`
	RedirectURI          string   `json:"redirect_uri"`
	EmployeeRedirectURIs []string `json:"employee_redirect_uris"`
	BreakGlass           []string `json:"break_glass_admins"`
}

func (a *apiV1) ssoOut(c echo.Context, t mdm.Tenant, p access.SSOProvider) error {
	ids, err := a.svc.Access.SSO().BreakGlassAdmins(c.Request().Context(), t.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ssoJSON{DisplayName: p.DisplayName, Issuer: p.Issuer, ClientID: p.ClientID, ClientSecretSet: len(p.ClientSecret) > 0,
		Scopes: output.List(p.Scopes), GroupsClaim: p.GroupsClaim, AdminGroups: output.List(p.AdminGroups), HelpdeskGroups: output.List(p.HelpdeskGroups),
		DPOGroups: output.List(p.DPOGroups), MFA: string(p.MFA), MFAValues: output.List(p.MFAValues), Required: p.Required,
		EmployeesConfirm: p.EmployeesConfirm, RedirectURI: SSORedirectURL(a.publicURL, t.Name),
		EmployeeRedirectURIs: EmployeeRedirectURLs(a.publicURL), BreakGlass: output.List(ids)})
}

func (a *apiV1) getSSO(c echo.Context, k call) error {
	p, err := a.svc.Access.SSO().Provider(c.Request().Context(), k.tenant.ID)
	if err != nil {
		return err
	}
	return a.ssoOut(c, k.tenant, p)
}

func (a *apiV1) setSSO(c echo.Context, k call) error {
	var in ssoJSON
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	p, err := a.svc.Access.SSO().SetProvider(c.Request().Context(), k.who.Actor, k.tenant, access.SSOSettings{DisplayName: in.DisplayName,
		Issuer: in.Issuer, ClientID: in.ClientID, ClientSecret: in.ClientSecret, GroupsClaim: in.GroupsClaim, Scopes: in.Scopes,
		AdminGroups: in.AdminGroups, HelpdeskGroups: in.HelpdeskGroups, DPOGroups: in.DPOGroups, MFA: access.MFARule(in.MFA),
		MFAValues: in.MFAValues, Required: in.Required, EmployeesConfirm: in.EmployeesConfirm})
	if err != nil {
		return err
	}
	return a.ssoOut(c, k.tenant, p)
}

// ssoTestJSON is the answer of POST /sso/test.
type ssoTestJSON struct {
	OK                    bool   `json:"ok"`
	Issuer                string `json:"issuer"`
	Problem               string `json:"problem,omitempty"`
	AuthorizationEndpoint string `json:"authorization_endpoint,omitempty"`
	TokenEndpoint         string `json:"token_endpoint,omitempty"`
	EndSessionEndpoint    string `json:"end_session_endpoint,omitempty"`
	PKCE                  bool   `json:"pkce_s256"`
}

// testSSO fetches and checks the discovery document of the issuer given, or of the
// tenant's provider; a provider that fails the test is an answer, not an error.
func (a *apiV1) testSSO(c echo.Context, k call) error {
	var in struct {
		Issuer string `json:"issuer"`
	}
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	issuer := strings.TrimSpace(in.Issuer)
	if issuer == "" {
		p, err := a.svc.Access.SSO().Provider(ctx, k.tenant.ID)
		if err != nil {
			return fmt.Errorf("%w: name the issuer to test, or set up the provider first", mdm.ErrInvalid)
		}
		issuer = p.Issuer
	}
	if u, err := url.Parse(issuer); err != nil || u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("%w: the issuer is an https URL", mdm.ErrInvalid)
	}
	d, err := a.sso.Discover(ctx, issuer)
	out := ssoTestJSON{OK: err == nil, Issuer: issuer, AuthorizationEndpoint: d.AuthorizationEndpoint, TokenEndpoint: d.TokenEndpoint,
		EndSessionEndpoint: d.EndSessionEndpoint, PKCE: d.PKCE}
	if err != nil {
		out.Problem = err.Error()
	}
	return c.JSON(http.StatusOK, out)
}

// setBreakGlass marks an administrator as break-glass ({"on": true}) or removes the mark.
func (a *apiV1) setBreakGlass(c echo.Context, k call) error {
	var in struct {
		On bool `json:"on"`
	}
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	id := c.Param("id")
	if err := a.svc.Access.SSO().SetBreakGlass(ctx, k.who.Actor, k.tenant, id, in.On); err != nil {
		return err
	}
	ids, err := a.svc.Access.SSO().BreakGlassAdmins(ctx, k.tenant.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"id": id, "break_glass": slices.Contains(ids, id)})
}
