package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// androidPaths are where the Android platform's handler answers: the Pub/Sub push
// endpoint and the enterprise sign-up callback, both under /android/.
var androidPaths = []string{"/android/*"}

// MountAndroid mounts the Android platform's handler (android.Platform.Handler) on
// androidPaths. Google reaches it without any other sign-in: the handler authenticates
// pushes by the secret in the push URL, and a sign-up callback by its one-time state. It
// decides methods itself; the server's body limit applies as everywhere.
func (s *Server) MountAndroid(h http.Handler) {
	wrapped := echo.WrapHandler(h)
	for _, p := range androidPaths {
		s.echo.Any(p, wrapped)
	}
}
