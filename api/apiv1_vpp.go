package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/mdm"
)

// vppRoutes are the routes of the Apple Apps and Books licences: the content token and
// the catalogue. Reading them takes the policies' read permission (an admin choosing apps
// for a policy needs them); changing them takes the policies' write permission.
func vppRoutes() []apiRoute {
	return []apiRoute{
		{http.MethodGet, "/apple/vpp-token", mdm.PermPoliciesRead, (*apiV1).getVPPToken},
		{http.MethodPut, "/apple/vpp-token", mdm.PermPoliciesWrite, (*apiV1).setVPPToken},
		{http.MethodGet, "/apple/vpp-assets", mdm.PermPoliciesRead, (*apiV1).listVPPAssets},
		{http.MethodPost, "/apple/vpp-assets/sync", mdm.PermPoliciesWrite, (*apiV1).syncVPPAssets},
	}
}

// licensing returns the app licensing or answers 503 when the server has none.
func (a *apiV1) licensing() (mdm.AppLicensing, error) {
	if a.lic == nil {
		return nil, echo.NewHTTPError(http.StatusServiceUnavailable, "Apple Apps and Books is not set up on this server")
	}
	return a.lic, nil
}

func (a *apiV1) getVPPToken(c echo.Context, k call) error {
	lic, err := a.licensing()
	if err != nil {
		return err
	}
	tok, err := lic.LicenceToken(c.Request().Context(), k.tenant.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, tok)
}

// vppTokenBody is the body of PUT /apple/vpp-token: the content of the .vpptoken file.
type vppTokenBody struct {
	Token string `json:"token"`
}

func (a *apiV1) setVPPToken(c echo.Context, k call) error {
	lic, err := a.licensing()
	if err != nil {
		return err
	}
	var in vppTokenBody
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	tok, err := lic.SetLicenceToken(c.Request().Context(), k.who.Actor, k.tenant.ID, []byte(in.Token))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, tok)
}

func (a *apiV1) listVPPAssets(c echo.Context, k call) error {
	lic, err := a.licensing()
	if err != nil {
		return err
	}
	apps, err := lic.LicensedApps(c.Request().Context(), k.tenant.ID)
	if err != nil {
		return err
	}
	if apps == nil {
		apps = []mdm.LicensedApp{}
	}
	return c.JSON(http.StatusOK, map[string]any{"apps": apps})
}

func (a *apiV1) syncVPPAssets(c echo.Context, k call) error {
	lic, err := a.licensing()
	if err != nil {
		return err
	}
	if err := lic.SyncLicensedApps(c.Request().Context(), k.who.Actor, k.tenant.ID); err != nil {
		return err
	}
	return c.NoContent(http.StatusAccepted)
}
