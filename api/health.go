package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/trennwand/trennwand/buildinfo"
)

// mountHealth mounts the routes that load balancers use: /healthz (the process answers,
// and which build it is) and /readyz (it can do its work).
func mountHealth(e *echo.Echo, ready func(context.Context) error, build buildinfo.Info) {
	health := healthz{Status: "ok", Info: build}
	e.GET("/healthz", func(c echo.Context) error {
		return c.JSON(http.StatusOK, health)
	})
	e.GET("/readyz", func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
		defer cancel()
		if err := ready(ctx); err != nil {
			return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "not ready", "reason": err.Error()})
		}
		return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
	})
}

// healthz is /healthz's answer: the status beside the build's version, commit, date and
// Go version.
type healthz struct {
	Status string `json:"status"`
	buildinfo.Info
}

// metricsHandler answers Prometheus's scrapes of reg.
func metricsHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}

// loopbackOnly lets through requests whose connection comes from the loopback interface
// and that no proxy forwarded: a reverse proxy on the same host connects from loopback
// too, but it says whom it forwards for. Others get 403: the metrics tell an outsider
// how busy the server is and which routes fail.
func loopbackOnly(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		forwarded := r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" || r.Header.Get("X-Real-Ip") != ""
		if !ConnectionAddr(r).IsLoopback() || forwarded {
			return echo.NewHTTPError(http.StatusForbidden,
				"/metrics answers only clients on this host; serve it on an address of its own with --metrics-addr")
		}
		return next(c)
	}
}
