package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/ui"
)

// MountPortal mounts the employee portal (portal.Portal.Handler) at /e/ and the pages'
// shared stylesheet at ui.AssetPath. The portal needs no sign-in: the invitation code in
// its path is the employee's credential, and the portal limits guesses itself.
func (s *Server) MountPortal(h http.Handler) {
	wrapped := echo.WrapHandler(h)
	s.echo.Any("/e", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/e/") })
	s.echo.Any("/e/*", wrapped)
	s.echo.GET(ui.AssetPath+"*", echo.WrapHandler(ui.Assets()))
}
