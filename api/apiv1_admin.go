package api

import (
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
)

func (a *apiV1) me(c echo.Context, k call) error {
	var perms []mdm.Permission
	for _, r := range allAPIRoutes() {
		if r.perm != "" && k.who.Can(r.perm) && !slices.Contains(perms, r.perm) {
			perms = append(perms, r.perm)
		}
	}
	out := map[string]any{"actor": k.who.Actor, "role": k.who.Role, "permissions": mapSlice(perms, func(p mdm.Permission) string { return string(p) })}
	if k.tenant.ID != "" {
		out["tenant"] = tenantOut(k.tenant)
	}
	return c.JSON(http.StatusOK, out)
}

func (a *apiV1) listTokens(c echo.Context, k call) error {
	toks, err := a.svc.Access.Tokens(c.Request().Context(), k.tenant)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"tokens": mapSlice(toks, tokenOut)})
}

// tokenRequest is the body of POST /tokens.
type tokenRequest struct {
	Name      string `json:"name"`
	Role      string `json:"role"`
	ValidDays int    `json:"valid_days"`
}

func (a *apiV1) createToken(c echo.Context, k call) error {
	var body tokenRequest
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	tok, secret, err := a.svc.Access.CreateToken(c.Request().Context(), k.who.Actor, &k.tenant, access.TokenRequest{
		Name: body.Name, Role: mdm.Role(body.Role), Validity: time.Duration(body.ValidDays) * 24 * time.Hour})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"id": tok.ID, "token": secret, "expires_at": tok.ExpiresAt})
}

func (a *apiV1) revokeToken(c echo.Context, k call) error {
	if err := a.svc.Access.RevokeToken(c.Request().Context(), k.who.Actor, k.tenant, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (a *apiV1) listTenants(c echo.Context, _ call) error {
	ts, err := a.svc.Tenants(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"tenants": mapSlice(ts, tenantOut)})
}

// tenantRequest is the body of POST /tenants.
type tenantRequest struct {
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
}

func (a *apiV1) createTenant(c echo.Context, k call) error {
	var body tenantRequest
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	t, err := a.svc.CreateTenant(c.Request().Context(), k.who.Actor, body.Name, body.DisplayName)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, tenantOut(t))
}

// adminJSON is an administrator of the tenant as the API shows it: never a secret.
type adminJSON struct {
	ID                 string     `json:"id"`
	Email              string     `json:"email"`
	Role               mdm.Role   `json:"role"`
	MustChangePassword bool       `json:"must_change_password"`
	SecondFactorSet    bool       `json:"second_factor_set"`
	CreatedAt          time.Time  `json:"created_at"`
	DisabledAt         *time.Time `json:"disabled_at"`
}

func adminOut(a mdm.Admin) adminJSON {
	return adminJSON{ID: a.ID, Email: a.Email, Role: a.Role, MustChangePassword: a.MustChangePassword,
		SecondFactorSet: a.TOTPConfirmedAt != nil, CreatedAt: a.CreatedAt, DisabledAt: a.DisabledAt}
}

func (a *apiV1) listAdmins(c echo.Context, k call) error {
	as, err := a.svc.Access.Admins(c.Request().Context(), k.tenant)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"admins": mapSlice(as, adminOut)})
}

// adminRequest is the body of POST /admins.
type adminRequest struct {
	Email string `json:"email"`
	Role  string `json:"role"`
}

// createAdmin makes an administrator and answers with the one-time password once, as the
// dashboard shows it; the new administrator sets up the second factor and their own
// password at first sign-in.
func (a *apiV1) createAdmin(c echo.Context, k call) error {
	var body adminRequest
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	adm, creds, err := a.svc.Access.CreateAdmin(c.Request().Context(), k.who.Actor, k.tenant, body.Email, mdm.Role(body.Role))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, map[string]any{"admin": adminOut(adm), "password": creds.Password})
}

func (a *apiV1) disableAdmin(c echo.Context, k call) error {
	if err := a.svc.Access.DisableAdmin(c.Request().Context(), k.who.Actor, k.tenant, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// resetSecondFactor resets a colleague's lost second factor, as the administrators page
// does: their sessions end and they set up a new factor at the next sign-in.
func (a *apiV1) resetSecondFactor(c echo.Context, k call) error {
	var body reasonBody
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	if err := a.svc.Access.ResetSecondFactor(c.Request().Context(), k.who.Actor, k.tenant, c.Param("id"), body.Reason); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
