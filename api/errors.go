package api

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// errorBody is the JSON form of an error answer outside the JSON API.
type errorBody struct {
	Error string `json:"error"`
}

// errorHandler answers errors: those of the JSON API as problems (RFC 9457, see
// problems.go), all others as {"error": "…"}. Errors the handlers meant for the client
// keep their status and message; anything else is logged and answered as a plain 500, so
// that no internal detail reaches the client.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		p, known := asProblem(err)
		if !known {
			log.Error("request failed", "route", c.Path(), "method", c.Request().Method, "error", err,
				"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
		}
		if isAPIRequest(c.Request()) {
			err = writeProblem(c, p)
		} else if c.Request().Method == http.MethodHead {
			err = c.NoContent(p.Status)
		} else {
			msg := p.Detail
			if !known || msg == "" {
				msg = http.StatusText(p.Status)
			}
			err = c.JSON(p.Status, errorBody{Error: msg})
		}
		if err != nil {
			log.Debug("write error answer", "error", err)
		}
	}
}

// isAPIRequest reports whether the request is one of the JSON API's, whose errors are
// problems.
func isAPIRequest(r *http.Request) bool {
	return r.URL.Path == APIPrefix || strings.HasPrefix(r.URL.Path, APIPrefix+"/")
}
