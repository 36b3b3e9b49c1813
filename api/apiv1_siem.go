package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/ui/output"
)

// getSIEM answers whether the tenant's audit events go to the SIEM and how far each
// receiver got.
func (a *apiV1) getSIEM(c echo.Context, k call) error {
	st, err := a.svc.SIEM.Status(c.Request().Context(), k.tenant)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, output.SIEMJSON(st))
}

// setSIEM switches the tenant's feed on or off; the switch is recorded.
func (a *apiV1) setSIEM(c echo.Context, k call) error {
	var in struct {
		On bool `json:"on"`
	}
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	st, err := a.svc.SIEM.Switch(c.Request().Context(), k.who.Actor, k.tenant, in.On)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, output.SIEMJSON(st))
}
