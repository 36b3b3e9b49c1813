package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// applePaths are where the Apple platform's handler answers: account-driven enrolment's
// service discovery, the enrolment and sign-in pages under /apple/, and the MDM check-in
// and command endpoints under /mdm/.
var applePaths = []string{"/.well-known/com.apple.remotemanagement", "/apple/*", "/mdm/*"}

// MountApple mounts the Apple platform's handler (ios.Platform.Handler) on applePaths. The
// phones reach it without any other sign-in: the handler authenticates them itself (the
// enrolment token, the device certificate). It decides methods itself, so every method is
// passed on; the server's body limit applies as everywhere.
func (s *Server) MountApple(h http.Handler) {
	wrapped := echo.WrapHandler(h)
	for _, p := range applePaths {
		s.echo.Any(p, wrapped)
	}
}
