package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

func (a *apiV1) listEmployees(c echo.Context, k call) error {
	page, err := pageQuery(c)
	if err != nil {
		return err
	}
	es, err := a.svc.EmployeePage(c.Request().Context(), k.tenant, mdm.EmployeeQuery{Search: c.QueryParam("q"), Page: page})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, withNextCursor(map[string]any{"employees": mapSlice(es, employeeOut)}, page, len(es),
		func(i int) (time.Time, string) { return es[i].CreatedAt, es[i].ID }))
}

func (a *apiV1) getEmployee(c echo.Context, k call) error {
	e, err := a.svc.ViewEmployee(c.Request().Context(), k.who.Actor, k.tenant, c.Param("id"))
	if err != nil {
		return err
	}
	devices, err := a.devicesOut(c.Request().Context(), k.tenant, e.Devices)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"employee": employeeOut(e.Employee), "devices": devices})
}

func (a *apiV1) listInvitations(c echo.Context, k call) error {
	page, err := pageQuery(c)
	if err != nil {
		return err
	}
	is, err := a.svc.Enrolment.InvitationPage(c.Request().Context(), k.tenant, enrolment.InvitationQuery{EmployeeID: c.QueryParam("employee"), Page: page})
	if err != nil {
		return err
	}
	now := time.Now()
	out := mapSlice(is, func(i enrolment.InvitationListing) invitationJSON {
		return invitationOut(i.Invitation, i.EmployeeEmail, now)
	})
	return c.JSON(http.StatusOK, withNextCursor(map[string]any{"invitations": out}, page, len(is),
		func(i int) (time.Time, string) { return is[i].CreatedAt, is[i].ID }))
}

// invitationRequest is the body of POST /invitations.
type invitationRequest struct {
	Email          string `json:"email"`
	Name           string `json:"name"`
	Platform       string `json:"platform"`
	ManagedAppleID string `json:"managed_apple_id"`
	ValidDays      int    `json:"valid_days"`
	Ownership      string `json:"ownership"`
}

func (a *apiV1) createInvitation(c echo.Context, k call) error {
	var body invitationRequest
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	inv, err := a.svc.Enrolment.Invite(c.Request().Context(), k.who.Actor, k.tenant, enrolment.InviteRequest{
		Email: body.Email, Name: body.Name, Platform: mdm.Platform(body.Platform), ManagedAppleID: body.ManagedAppleID,
		Validity: time.Duration(body.ValidDays) * 24 * time.Hour, Ownership: mdm.Ownership(body.Ownership)})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, a.newInvitationOut(inv, time.Now()))
}

func (a *apiV1) revokeInvitation(c echo.Context, k call) error {
	if err := a.svc.Enrolment.RevokeInvitation(c.Request().Context(), k.who.Actor, k.tenant, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
