package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/api/scim"
)

// MountSCIM mounts the SCIM 2.0 endpoint (scim.Handler) at /scim/v2/. Identity providers
// reach it with an API token of the role scim, which the handler checks itself; it
// answers its errors in SCIM's format rather than as problem+json.
func (s *Server) MountSCIM(h http.Handler) {
	wrapped := echo.WrapHandler(h)
	s.echo.Any(scim.Prefix+"/*", wrapped)
}
