package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/mdm"
)

func (a *apiV1) listDevices(c echo.Context, k call) error {
	page, err := pageQuery(c)
	if err != nil {
		return err
	}
	if o := c.QueryParam("ownership"); o != "" {
		if _, err := mdm.ParseOwnership(o); err != nil {
			return err
		}
	}
	q := mdm.DeviceQuery{Search: c.QueryParam("q"), Page: page, Compliance: mdm.Compliance(c.QueryParam("compliance")),
		DeviceFilter: mdm.DeviceFilter{Platform: mdm.Platform(c.QueryParam("platform")),
			State: mdm.DeviceState(c.QueryParam("state")), EmployeeID: c.QueryParam("employee"),
			Ownership: mdm.Ownership(c.QueryParam("ownership"))}}
	ds, err := a.svc.DevicePage(c.Request().Context(), k.tenant, q)
	if err != nil {
		return err
	}
	out, err := a.devicesOut(c.Request().Context(), k.tenant, ds)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, withNextCursor(map[string]any{"devices": out}, page, len(ds),
		func(i int) (time.Time, string) { return ds[i].CreatedAt, ds[i].ID }))
}

// devicesOut is the JSON of listed devices, each with when it was reported lost where
// that report stands, read once for the whole list.
func (a *apiV1) devicesOut(ctx context.Context, t mdm.Tenant, ds []mdm.DeviceListing) ([]deviceJSON, error) {
	lost, err := a.svc.StandingLostReports(ctx, t)
	if err != nil {
		return nil, err
	}
	out := make([]deviceJSON, len(ds))
	for i, d := range ds {
		out[i] = deviceListingOut(d)
		if at, ok := lost[d.ID]; ok {
			out[i].ReportedLostAt = &at
		}
	}
	return out, nil
}

// answerDevice answers with the device and the status, with when the device was
// reported lost where that report stands.
func (a *apiV1) answerDevice(c echo.Context, status int, t mdm.Tenant, d mdm.Device) error {
	at, err := a.svc.ReportedLost(c.Request().Context(), t, d.ID)
	if err != nil {
		return err
	}
	out := deviceOut(d)
	out.ReportedLostAt = at
	return c.JSON(status, out)
}

func (a *apiV1) getDevice(c echo.Context, k call) error {
	ctx := c.Request().Context()
	d, err := a.svc.ViewDevice(ctx, k.who.Actor, k.tenant, c.Param("id"))
	if err != nil {
		return err
	}
	apps, err := a.svc.DeviceWorkApps(ctx, k.tenant, d.Device)
	if err != nil {
		return err
	}
	dev := deviceOut(d.Device)
	dev.ReportedLostAt = d.ReportedLostAt
	out := map[string]any{"device": dev, "employee": employeeOut(d.Employee),
		"commands": mapSlice(d.Commands, commandOut), "declarations": mapSlice(d.Declarations, declarationOut),
		"certificates": mapSlice(d.Certificates, heldCertificateOut), "work_apps": mapSlice(apps, workAppOut)}
	if a.keys != nil && a.svc.CapabilitiesOf(d.Device.Platform).Has(mdm.BindsCertificateKeys) {
		key, err := a.keys.CertificateKey(ctx, k.tenant.ID, d.Device.ID)
		if err != nil && !errors.Is(err, mdm.ErrNotFound) {
			return fmt.Errorf("certificate key of device %s: %w", d.Device.ID, err)
		}
		if err == nil {
			out["certificate_key"] = certificateKeyJSON(key)
		}
	}
	return c.JSON(http.StatusOK, out)
}

// workAppJSON is a work app of the device's policy as its platform reported it: the
// version where the platform tells it (Android does, an iPhone with User Enrolment does not).
type workAppJSON struct {
	AppID   string           `json:"app_id"`
	Version string           `json:"version,omitempty"`
	State   mdm.WorkAppState `json:"state"`
	Problem string           `json:"problem,omitempty"`
}

func workAppOut(a mdm.WorkApp) workAppJSON {
	return workAppJSON{AppID: a.AppID, Version: a.Version, State: a.State, Problem: a.Problem}
}

// certificateKeyJSON is the key an Android device's certificate requests are bound to:
// requests naming another key are refused until an administrator allows a renewal.
type certificateKeyJSON struct {
	BoundAt        time.Time  `json:"bound_at"`
	RenewalAllowed bool       `json:"renewal_allowed"`
	Refused        int64      `json:"refused"`
	LastRefusedAt  *time.Time `json:"last_refused_at"`
}

// allowCertificateRenewal lets the device's next certificate request bind a new key, once.
func (a *apiV1) allowCertificateRenewal(c echo.Context, k call) error {
	if a.keys == nil {
		return platformOff("Android")
	}
	reason, err := reasonOf(c)
	if err != nil {
		return err
	}
	if err := a.keys.AllowCertificateRenewal(c.Request().Context(), k.who.Actor, k.tenant, c.Param("id"), reason); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (a *apiV1) lockDevice(c echo.Context, k call) error {
	return a.command(c, k, mdm.CommandLockWork)
}

// lockPhone locks a company-owned phone as a whole.
func (a *apiV1) lockPhone(c echo.Context, k call) error {
	return a.command(c, k, mdm.CommandLockDevice)
}

// wipeDevice erases a company-owned phone as a whole; the reason is required.
func (a *apiV1) wipeDevice(c echo.Context, k call) error {
	return a.endEnrolment(c, k, a.svc.WipeDevice)
}

// provisioning answers the code an invited company-owned phone scans in its setup wizard,
// fresh on every call and never cached.
func (a *apiV1) provisioning(c echo.Context, k call) error {
	code, err := a.svc.ProvisioningCode(c.Request().Context(), k.tenant, c.Param("id"), a.drivers)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]string{"qr_code": code})
}

// patchDevice answers a change of a device's fields; the one field it knows, the
// ownership, never changes while the device is enrolled (an attempt is refused and
// recorded).
func (a *apiV1) patchDevice(c echo.Context, k call) error {
	var body struct {
		Ownership string `json:"ownership"`
	}
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	d, err := a.svc.ChangeOwnership(c.Request().Context(), k.who.Actor, k.tenant, c.Param("id"), body.Ownership)
	if err != nil {
		return err
	}
	return a.answerDevice(c, http.StatusOK, k.tenant, d)
}

func (a *apiV1) resetPasscode(c echo.Context, k call) error {
	return a.command(c, k, mdm.CommandResetWorkPasscode)
}

func (a *apiV1) command(c echo.Context, k call, kind mdm.CommandKind) error {
	var body reasonBody
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	cmd, err := a.svc.CommandDevice(c.Request().Context(), k.who.Actor, k.tenant, c.Param("id"), kind, body.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, commandOut(cmd))
}

func (a *apiV1) removeWorkData(c echo.Context, k call) error {
	return a.endEnrolment(c, k, a.svc.RemoveDevice)
}

// endEnrolment ends the device's enrolment with end (a removal, a wipe) and the reason the
// body states, and answers the device as it then is.
func (a *apiV1) endEnrolment(c echo.Context, k call, end func(ctx context.Context, actor string, t mdm.Tenant, deviceID, reason string) error) error {
	reason, err := reasonOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := end(ctx, k.who.Actor, k.tenant, c.Param("id"), reason); err != nil {
		return err
	}
	d, err := a.svc.Device(ctx, k.tenant.ID, c.Param("id"))
	if err != nil {
		return err
	}
	return a.answerDevice(c, http.StatusAccepted, k.tenant, d)
}

func (a *apiV1) revokeCertificates(c echo.Context, k call) error {
	var body reasonBody
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	n, err := a.svc.RevokeDeviceCertificates(c.Request().Context(), k.who.Actor, k.tenant, c.Param("id"), body.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int{"revoked": n})
}

func (a *apiV1) moveDevice(c echo.Context, k call) error {
	var body struct {
		PolicyID string `json:"policy_id"`
	}
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	d, err := a.svc.WorkPolicy.AssignWorkPolicy(c.Request().Context(), k.who.Actor, k.tenant, c.Param("id"), body.PolicyID)
	if err != nil {
		return err
	}
	return a.answerDevice(c, http.StatusOK, k.tenant, d)
}

func (a *apiV1) overview(c echo.Context, k call) error {
	counts, err := a.svc.DeviceCounts(c.Request().Context(), k.tenant)
	if err != nil {
		return err
	}
	type countJSON struct {
		Platform   mdm.Platform    `json:"platform"`
		State      mdm.DeviceState `json:"state"`
		Compliance mdm.Compliance  `json:"compliance,omitempty"`
		Count      int64           `json:"count"`
	}
	return c.JSON(http.StatusOK, map[string]any{"counts": mapSlice(counts, func(d mdm.DeviceCount) countJSON {
		return countJSON(d)
	})})
}
