package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

// The invitations' bulk and repeat actions, as the dashboard's invitations page has them.
// An answer carrying codes is the only place the codes are; a code given through the API
// counts as not yet sent until it is mailed or printed, as one made by any script.

// newInvitationJSON is a new invitation with its code and portal link, shown only now.
type newInvitationJSON struct {
	Invitation invitationJSON `json:"invitation"`
	Code       string         `json:"code"`
	URL        string         `json:"url"`
}

func (a *apiV1) newInvitationOut(inv enrolment.NewInvitation, now time.Time) newInvitationJSON {
	return newInvitationJSON{Invitation: invitationOut(inv.Invitation, inv.Employee.Email, now), Code: inv.Code,
		URL: a.publicURL.JoinPath("/e", inv.Code).String()}
}

// newInvitations answers with the new invitations and their codes, never cached.
func (a *apiV1) newInvitations(c echo.Context, status int, made []enrolment.NewInvitation) error {
	now := time.Now()
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(status, map[string]any{"invitations": mapSlice(made, func(inv enrolment.NewInvitation) newInvitationJSON {
		return a.newInvitationOut(inv, now)
	})})
}

// maxCSVBytes bounds an uploaded CSV file: enrolment.MaxBulkInvitations lines with room
// to spare, within the server's limit on a request.
const maxCSVBytes = 900 << 10

// importInvitations invites everyone in a CSV file, as the dashboard's import and
// `trennwand invite import` do: every line is checked first, and the file is imported
// whole or not at all. Refused lines are listed in the problem's errors, each with its
// line number.
func (a *apiV1) importInvitations(c echo.Context, k call) error {
	body := io.LimitReader(c.Request().Body, maxCSVBytes+1)
	data, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	if len(data) > maxCSVBytes {
		return newProblem(ProblemTooLarge, fmt.Sprintf("the CSV file is larger than an import of %d lines can be", enrolment.MaxBulkInvitations))
	}
	rows, err := enrolment.ParseInvitationCSV(bytes.NewReader(data))
	var made []enrolment.NewInvitation
	if err == nil {
		made, err = a.svc.Enrolment.InviteMany(c.Request().Context(), k.who.Actor, k.tenant, rows, 0)
	}
	if err != nil {
		return csvProblem(err)
	}
	return a.newInvitations(c, http.StatusCreated, made)
}

// csvProblem lists the refused lines of an import; a refusal of the whole file keeps
// its kind.
func csvProblem(err error) error {
	lines := enrolment.RowErrors(err)
	if len(lines) == 0 || !(errors.Is(err, mdm.ErrInvalid) || errors.Is(err, mdm.ErrConflict)) {
		return err
	}
	p := newProblem(ProblemCSVRefused, err.Error())
	for _, l := range lines {
		p.Errors = append(p.Errors, fieldError{Line: l.Line, Detail: l.Err.Error()})
	}
	return p
}

// resendRequest is the body of POST /invitations/resend.
type resendRequest struct {
	Email string `json:"email"`
}

// resendInvitation gives the employee a new code; the old one stops working.
func (a *apiV1) resendInvitation(c echo.Context, k call) error {
	var body resendRequest
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	inv, err := a.svc.Enrolment.ResendInvitation(c.Request().Context(), k.who.Actor, k.tenant, body.Email)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, a.newInvitationOut(inv, time.Now()))
}

// reissueUnsent gives every invitation that has reached nobody yet a new code, as the
// dashboard's "letters for all not yet sent" does, and records their letters as made.
func (a *apiV1) reissueUnsent(c echo.Context, k call) error {
	made, err := a.svc.Enrolment.ReissueUnsent(c.Request().Context(), k.who.Actor, k.tenant)
	if err != nil {
		return err
	}
	return a.newInvitations(c, http.StatusOK, made)
}
