package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/ui/dashboard"
)

// abmRoutes are the routes of Automated Device Enrollment through Apple Business Manager:
// the certificate IT uploads there, the server token IT downloads there, the devices the
// sync found. Each takes the settings permission, as the dashboard's page does, and calls
// the same service, so that both keep one rule and write one audit event.
func abmRoutes() []apiRoute {
	return []apiRoute{
		{http.MethodGet, "/apple/dep-token", mdm.PermSettingsManage, (*apiV1).getServerToken},
		{http.MethodPut, "/apple/dep-token", mdm.PermSettingsManage, (*apiV1).setServerToken},
		{http.MethodGet, "/apple/dep-token/certificate", mdm.PermSettingsManage, (*apiV1).getServerCertificate},
		{http.MethodPost, "/apple/dep-token/sync", mdm.PermSettingsManage, (*apiV1).syncBoughtDevices},
		{http.MethodGet, "/apple/dep-devices", mdm.PermSettingsManage, (*apiV1).listBoughtDevices},
	}
}

// appleBusinessManager returns Automated Device Enrollment or answers 503 when the server
// has none.
func (a *apiV1) appleBusinessManager() (dashboard.AppleBusinessManager, error) {
	if a.abm == nil {
		return nil, platformOff("Apple Business Manager")
	}
	return a.abm, nil
}

// serverTokenJSON is the tenant's server token as the API shows it.
type serverTokenJSON struct {
	Uploaded     bool       `json:"uploaded"`
	ServerName   string     `json:"server_name"`
	Organisation string     `json:"organisation"`
	ExpiresAt    *time.Time `json:"expires_at,omitempty"`
	Expiring     bool       `json:"expiring"`
	Expired      bool       `json:"expired"`
	SyncedAt     *time.Time `json:"synced_at,omitempty"`
	Devices      int        `json:"devices"`
	Problem      string     `json:"problem"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

func serverTokenOut(t dashboard.ServerToken) serverTokenJSON {
	out := serverTokenJSON{Uploaded: t.Uploaded, ServerName: t.ServerName, Organisation: t.Org, Expiring: t.Expiring,
		Expired: t.Expired, SyncedAt: t.SyncedAt, Devices: t.Devices, Problem: t.Problem, UpdatedAt: t.UpdatedAt}
	if !t.ExpiresAt.IsZero() {
		out.ExpiresAt = &t.ExpiresAt
	}
	return out
}

func (a *apiV1) getServerToken(c echo.Context, k call) error {
	abm, err := a.appleBusinessManager()
	if err != nil {
		return err
	}
	t, err := abm.ServerToken(c.Request().Context(), k.tenant.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, serverTokenOut(t))
}

// serverTokenBody is the body of PUT /apple/dep-token: the content of the .p7m file,
// which Apple Business Manager hands out as text (S/MIME).
type serverTokenBody struct {
	Token string `json:"token"`
}

func (a *apiV1) setServerToken(c echo.Context, k call) error {
	abm, err := a.appleBusinessManager()
	if err != nil {
		return err
	}
	var in serverTokenBody
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	t, err := abm.SetServerToken(c.Request().Context(), k.who.Actor, k.tenant.ID, []byte(in.Token))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, serverTokenOut(t))
}

func (a *apiV1) getServerCertificate(c echo.Context, k call) error {
	abm, err := a.appleBusinessManager()
	if err != nil {
		return err
	}
	pem, err := abm.ServerCertificate(c.Request().Context(), k.tenant.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"certificate": string(pem)})
}

func (a *apiV1) syncBoughtDevices(c echo.Context, k call) error {
	abm, err := a.appleBusinessManager()
	if err != nil {
		return err
	}
	if err := abm.SyncBoughtDevices(c.Request().Context(), k.tenant.ID); err != nil {
		return err
	}
	return c.NoContent(http.StatusAccepted)
}

// boughtDeviceJSON is a device the tenant assigned to this server in Apple Business
// Manager.
type boughtDeviceJSON struct {
	SerialNumber  string `json:"serial_number"`
	Model         string `json:"model"`
	Description   string `json:"description"`
	ProfileStatus string `json:"profile_status"`
}

func (a *apiV1) listBoughtDevices(c echo.Context, k call) error {
	abm, err := a.appleBusinessManager()
	if err != nil {
		return err
	}
	ds, err := abm.BoughtDevices(c.Request().Context(), k.tenant.ID)
	if err != nil {
		return err
	}
	out := make([]boughtDeviceJSON, len(ds))
	for i, d := range ds {
		out[i] = boughtDeviceJSON(d)
	}
	return c.JSON(http.StatusOK, map[string]any{"devices": out})
}
