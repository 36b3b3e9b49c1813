package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// ServerToken is what is known of a tenant's server token from Apple Business Manager,
// never the token itself.
type ServerToken struct {
	// Uploaded is false while only the certificate for Apple Business Manager was made.
	Uploaded          bool
	ServerName, Org   string
	ExpiresAt         time.Time
	Expiring, Expired bool // within 30 days before ExpiresAt, after it
	SyncedAt          *time.Time
	Devices           int    // how many devices the last sync found assigned to the server
	Problem           string // why the last sync failed; empty when it worked
	UpdatedAt         time.Time
}

// BoughtDevice is a device the tenant assigned to this server in Apple Business Manager.
type BoughtDevice struct {
	SerialNumber, Model, Description, ProfileStatus string
}

// AppleBusinessManager is a tenant's Automated Device Enrollment as the dashboard and the
// API manage it, with the rules of `trennwand apple dep-token`: the Apple platform does
// the checking.
type AppleBusinessManager interface {
	// ServerCertificate returns the certificate (PEM) IT uploads to Apple Business
	// Manager, made on first use and the same every time after.
	ServerCertificate(ctx context.Context, tenantID string) ([]byte, error)
	// ServerToken returns the state of the tenant's server token; mdm.ErrNotFound before
	// the certificate was made.
	ServerToken(ctx context.Context, tenantID string) (ServerToken, error)
	// SetServerToken makes the token file (.p7m) the tenant's; mdm.ErrInvalid says why a
	// file is refused, and then nothing is stored.
	SetServerToken(ctx context.Context, actor, tenantID string, file []byte) (ServerToken, error)
	// SyncBoughtDevices queues the device sync the hourly schedule queues; mdm.ErrNotFound
	// without a server token.
	SyncBoughtDevices(ctx context.Context, tenantID string) error
	// BoughtDevices lists the devices the last sync found.
	BoughtDevices(ctx context.Context, tenantID string) ([]BoughtDevice, error)
}

// errNoABM answers the pages when the server has no Automated Device Enrollment.
var errNoABM = fmt.Errorf("%w: Apple Business Manager is not set up on this server", mdm.ErrNotFound)

// abmRoutes are the pages of Automated Device Enrollment through Apple Business Manager,
// the administrator's as the other platform settings are.
func (d *Dashboard) abmRoutes() []Route {
	return []Route{
		{http.MethodGet, Prefix + "/apple/abm", mdm.PermSettingsManage, d.abm},
		{http.MethodGet, Prefix + "/apple/abm/certificate", mdm.PermSettingsManage, d.abmCertificate},
		{http.MethodPost, Prefix + "/apple/abm/token", mdm.PermSettingsManage, d.uploadServerToken},
		{http.MethodPost, Prefix + "/apple/abm/sync", mdm.PermSettingsManage, d.syncBoughtDevices},
	}
}

// abmPage is what the page shows: the token (nil before the certificate was made) and
// the devices of the last sync.
type abmPage struct {
	Token   *ServerToken
	Devices []BoughtDevice
}

// abm shows the tenant's server token with its expiry, its last sync and the devices.
func (d *Dashboard) abm(w http.ResponseWriter, r *http.Request) {
	d.showABM(w, r, page{Flash: flash(r)})
}

func (d *Dashboard) showABM(w http.ResponseWriter, r *http.Request, p page) {
	if d.cfg.AppleBusinessManager == nil {
		d.fail(w, r, errNoABM)
		return
	}
	tenantID := viewerOf(r).Tenant.ID
	var data abmPage
	tok, err := d.cfg.AppleBusinessManager.ServerToken(r.Context(), tenantID)
	switch {
	case err == nil:
		data.Token = &tok
	case !errors.Is(err, mdm.ErrNotFound):
		d.fail(w, r, err)
		return
	}
	if data.Devices, err = d.cfg.AppleBusinessManager.BoughtDevices(r.Context(), tenantID); err != nil {
		d.fail(w, r, err)
		return
	}
	p.Data = data
	d.show(w, r, "abm.html", "abm.title", p)
}

// abmCertificate downloads the certificate to upload to Apple Business Manager.
func (d *Dashboard) abmCertificate(w http.ResponseWriter, r *http.Request) {
	if d.cfg.AppleBusinessManager == nil {
		d.fail(w, r, errNoABM)
		return
	}
	pem, err := d.cfg.AppleBusinessManager.ServerCertificate(r.Context(), viewerOf(r).Tenant.ID)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	_, _ = NewDownload(w, "application/x-pem-file", "trennwand-abm.pem").Write(pem)
}

// uploadServerToken takes the .p7m file from the form's field "token"; a missing, too
// large or unreadable file shows the page again with why, and nothing is stored.
// `trennwand apple dep-token upload` does the same.
func (d *Dashboard) uploadServerToken(w http.ResponseWriter, r *http.Request) {
	if d.cfg.AppleBusinessManager == nil {
		d.fail(w, r, errNoABM)
		return
	}
	v := viewerOf(r)
	file, err := serverTokenFile.read(r)
	if err == nil {
		_, err = d.cfg.AppleBusinessManager.SetServerToken(r.Context(), v.Principal.Actor, v.Tenant.ID, file)
	}
	if err != nil {
		d.refusedOn(w, r, err, d.showABM)
		return
	}
	back(w, r, Prefix+"/apple/abm", "saved")
}

// serverTokenFile is the server token file (.p7m) from Apple Business Manager, uploaded
// or pasted as text (it is an S/MIME text file); Apple's are a few kilobytes.
var serverTokenFile = tokenFile{limit: 64 << 10,
	missing:  mdm.Refuse("refusal.dep_token.missing", fmt.Errorf("%w: choose the server token file (.p7m) from Apple Business Manager", mdm.ErrInvalid)),
	tooLarge: mdm.Refuse("refusal.dep_token.too_large", fmt.Errorf("%w: the file is larger than a server token can be", mdm.ErrInvalid)),
}

// syncBoughtDevices has the devices read from Apple Business Manager now.
func (d *Dashboard) syncBoughtDevices(w http.ResponseWriter, r *http.Request) {
	if d.cfg.AppleBusinessManager == nil {
		d.fail(w, r, errNoABM)
		return
	}
	if err := d.cfg.AppleBusinessManager.SyncBoughtDevices(r.Context(), viewerOf(r).Tenant.ID); err != nil {
		d.refusedOn(w, r, err, d.showABM)
		return
	}
	back(w, r, Prefix+"/apple/abm", "sync_queued")
}
