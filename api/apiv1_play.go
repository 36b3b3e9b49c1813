package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/ui/dashboard"
)

// PlayCatalogue is managed Google Play as the API offers it for choosing Android apps:
// web tokens for the managed Google Play iframe and look-ups of one app. The Android
// platform implements it, always for the tenant's own enterprise.
type PlayCatalogue interface {
	PlayWebToken(ctx context.Context, t mdm.Tenant, parentOrigin string) (android.WebToken, error)
	PlayApp(ctx context.Context, t mdm.Tenant, packageName string) (android.PlayApp, error)
}

// playRoutes are the routes of managed Google Play: choosing apps for a policy, with the
// policies' permissions.
func playRoutes() []apiRoute {
	return []apiRoute{
		{http.MethodPost, "/android/enterprise/web-tokens", mdm.PermPoliciesWrite, (*apiV1).createPlayWebToken},
		{http.MethodGet, "/android/apps/:id", mdm.PermPoliciesRead, (*apiV1).getPlayApp},
	}
}

// webTokenRequest is the body of POST /android/enterprise/web-tokens: the origin of the
// page that embeds the iframe; empty means the server's public address.
type webTokenRequest struct {
	ParentFrameURL string `json:"parent_frame_url"`
}

func (a *apiV1) createPlayWebToken(c echo.Context, k call) error {
	if a.play == nil {
		return platformOff("Android")
	}
	var in webTokenRequest
	if c.Request().ContentLength != 0 {
		if err := decodeBody(c, &in); err != nil {
			return err
		}
	}
	if in.ParentFrameURL == "" && a.publicURL != nil {
		in.ParentFrameURL = a.publicURL.Scheme + "://" + a.publicURL.Host
	}
	tok, err := a.play.PlayWebToken(c.Request().Context(), k.tenant, in.ParentFrameURL)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]string{"iframe_url": tok.IframeURL, "iframe_origin": tok.IframeOrigin})
}

func (a *apiV1) getPlayApp(c echo.Context, k call) error {
	if a.play == nil {
		return platformOff("Android")
	}
	pkg := c.Param("id")
	if _, _, err := dashboard.ParsePick(string(mdm.PlatformAndroid) + ":" + pkg); err != nil {
		return err
	}
	app, err := a.play.PlayApp(c.Request().Context(), k.tenant, pkg)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"package_name": app.PackageName, "title": app.Title})
}
