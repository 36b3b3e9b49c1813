package api

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/mdm"
)

// policyBody is the body of POST /policies and PUT /policies/{id}.
type policyBody struct {
	Name                 string             `json:"name"`
	Description          string             `json:"description"`
	WorkPasscodeRequired bool               `json:"work_passcode_required"`
	CopyPasteToPersonal  bool               `json:"copy_paste_to_personal"`
	PersonalUsage        *personalUsageJSON `json:"personal_usage"`
	Apps                 []appBody          `json:"apps"`
	Version              int64              `json:"version"`
}

type appBody struct {
	Platform      string          `json:"platform"`
	AppID         string          `json:"app_id"`
	InstallType   string          `json:"install_type"`
	ManagedConfig json.RawMessage `json:"managed_config"`
}

// policy turns the body into a work policy; mdm.WorkPolicy.Validate checks the rest.
func (b policyBody) policy(id string) (mdm.WorkPolicy, error) {
	p := mdm.WorkPolicy{ID: id, Name: b.Name, Description: b.Description, Version: b.Version,
		WorkPasscodeRequired: b.WorkPasscodeRequired, CopyPasteToPersonal: b.CopyPasteToPersonal}
	if b.PersonalUsage != nil {
		p.PersonalUsage = mdm.PersonalUsage(*b.PersonalUsage)
	}
	for _, a := range b.Apps {
		cfg, err := mdm.ParseJSONObject(a.ManagedConfig)
		if err != nil {
			return p, err
		}
		p.Apps = append(p.Apps, mdm.AppAssignment{Platform: mdm.Platform(a.Platform), AppID: a.AppID,
			InstallType: mdm.InstallType(a.InstallType), ManagedConfig: cfg})
	}
	return p, nil
}

func (a *apiV1) listPolicies(c echo.Context, k call) error {
	ps, err := a.svc.WorkPolicy.WorkPolicies(c.Request().Context(), k.tenant)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"policies": mapSlice(ps, policyOut)})
}

func (a *apiV1) getPolicy(c echo.Context, k call) error {
	p, err := a.svc.WorkPolicy.WorkPolicy(c.Request().Context(), k.tenant, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, policyOut(p))
}

func (a *apiV1) createPolicy(c echo.Context, k call) error {
	return a.savePolicy(c, k, "", http.StatusCreated, a.svc.WorkPolicy.CreateWorkPolicy)
}

func (a *apiV1) updatePolicy(c echo.Context, k call) error {
	return a.savePolicy(c, k, c.Param("id"), http.StatusOK, a.svc.WorkPolicy.UpdateWorkPolicy)
}

func (a *apiV1) savePolicy(c echo.Context, k call, id string, status int,
	save func(ctx context.Context, actor string, t mdm.Tenant, p mdm.WorkPolicy) (mdm.WorkPolicy, error)) error {
	var body policyBody
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	p, err := body.policy(id)
	if err != nil {
		return err
	}
	if p, err = save(c.Request().Context(), k.who.Actor, k.tenant, p); err != nil {
		return err
	}
	return c.JSON(status, policyOut(p))
}
