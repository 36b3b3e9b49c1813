package demo

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/android/amapifake"
	androidsim "github.com/trennwand/trennwand/android/phonesim"
	"github.com/trennwand/trennwand/mdm/domain"
)

// MountSimEndpoints mounts the demo-only endpoints through which simulated Android phones
// play their part at the in-process AMAPI fake: redeeming an enrolment token (what
// Google's setup does on a real phone) and sending status reports. They exist only with
// --demo; callers need an API token of the demo tenant, and only devices of its enterprise
// answer.
func (d *Demo) MountSimEndpoints(e *echo.Echo, svc *domain.Services) {
	e.POST(androidsim.PathEnrol, d.simHandler(svc, func(ctx context.Context, c echo.Context) (amapi.Device, error) {
		var req androidsim.EnrolRequest
		if err := json.NewDecoder(c.Request().Body).Decode(&req); err != nil || req.Token == "" {
			return amapi.Device{}, echo.NewHTTPError(http.StatusBadRequest, `send {"token": "…"}, the et parameter of the enrolment link`)
		}
		dev, err := d.amapi.Enrol(ctx, req.Token)
		if errors.Is(err, amapifake.ErrToken) {
			return amapi.Device{}, echo.NewHTTPError(http.StatusBadRequest, err.Error())
		}
		return dev, err
	}))
	e.POST(androidsim.PathReport, d.simHandler(svc, func(ctx context.Context, c echo.Context) (amapi.Device, error) {
		var req androidsim.ReportRequest
		if err := json.NewDecoder(c.Request().Body).Decode(&req); err != nil || !strings.HasPrefix(req.Device, d.enterprise+"/devices/") {
			return amapi.Device{}, echo.NewHTTPError(http.StatusNotFound, "no such device of the demo enterprise")
		}
		if err := d.amapi.ReportStatus(ctx, req.Device, func(*amapi.Device) {}); err != nil {
			return amapi.Device{}, echo.NewHTTPError(http.StatusNotFound, err.Error())
		}
		dev, _ := d.amapi.Device(req.Device)
		return dev, nil
	}))
}

// simHandler checks the caller's API token, runs fn and answers what the fake now knows
// of the device: its policy and the policy's work apps with their managed configuration.
func (d *Demo) simHandler(svc *domain.Services, fn func(context.Context, echo.Context) (amapi.Device, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		token, _ := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
		who, err := svc.Access.AuthenticateToken(ctx, token)
		if err != nil || who.TenantID != d.tenantID {
			return echo.NewHTTPError(http.StatusUnauthorized, "send an API token of the demo tenant as Authorization: Bearer twk_…")
		}
		dev, err := fn(ctx, c)
		if err != nil {
			return err
		}
		st := androidsim.Status{Device: dev.Name, Policy: dev.PolicyName, Apps: map[string]any{}}
		if p, ok := d.amapi.Policy(dev.PolicyName); ok {
			for _, app := range p.Applications {
				st.Apps[app.PackageName] = json.RawMessage(app.ManagedConfiguration)
				if len(app.ManagedConfiguration) == 0 {
					st.Apps[app.PackageName] = nil
				}
			}
		}
		return c.JSON(http.StatusOK, st)
	}
}
