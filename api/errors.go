package api

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
)

// errorBody is the JSON form of every error answer.
type errorBody struct {
	Error string `json:"error"`
}

// errorHandler answers errors as JSON. Errors the handlers meant for the client keep their
// status and message; anything else is logged and answered as a plain 500, so that no
// internal detail reaches the client.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		status, msg := http.StatusInternalServerError, http.StatusText(http.StatusInternalServerError)
		var he *echo.HTTPError
		if errors.As(err, &he) {
			status = he.Code
			if m, ok := he.Message.(string); ok {
				msg = m
			} else {
				msg = http.StatusText(status)
			}
		} else {
			log.Error("request failed", "route", c.Path(), "method", c.Request().Method, "error", err,
				"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
		}
		if c.Request().Method == http.MethodHead {
			err = c.NoContent(status)
		} else {
			err = c.JSON(status, errorBody{Error: msg})
		}
		if err != nil {
			log.Debug("write error answer", "error", err)
		}
	}
}
