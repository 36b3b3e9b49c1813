package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/trennwand/trennwand/mdm"
)

// vppRoutes are the pages of Apple's Apps and Books licences.
func (d *Dashboard) vppRoutes() []Route {
	return []Route{
		{http.MethodGet, Prefix + "/apple/vpp", mdm.PermPoliciesRead, d.vpp},
		{http.MethodPost, Prefix + "/apple/vpp/token", mdm.PermPoliciesWrite, d.uploadVPPToken},
		{http.MethodPost, Prefix + "/apple/vpp/sync", mdm.PermPoliciesWrite, d.syncVPP},
	}
}

// vppPage is what the licences page shows: the token (nil before the first upload) and
// the catalogue.
type vppPage struct {
	Token *mdm.LicenceToken
	Apps  []mdm.LicensedApp
}

// errNoLicensing answers the pages when the server has no Apple licensing.
var errNoLicensing = fmt.Errorf("%w: Apple Apps and Books is not set up on this server", mdm.ErrNotFound)

// vpp shows the tenant's Apps and Books token with its expiry and problems, and the
// catalogue with the free licences and how their assignment stands.
func (d *Dashboard) vpp(w http.ResponseWriter, r *http.Request) {
	d.showVPP(w, r, page{Flash: flash(r)})
}

// showVPP renders the licences page with what p says: a flash, or why a form was refused.
func (d *Dashboard) showVPP(w http.ResponseWriter, r *http.Request, p page) {
	if d.cfg.Licensing == nil {
		d.fail(w, r, errNoLicensing)
		return
	}
	v := viewerOf(r)
	var data vppPage
	tok, err := d.cfg.Licensing.LicenceToken(r.Context(), v.Tenant.ID)
	switch {
	case err == nil:
		data.Token = &tok
	case !errors.Is(err, mdm.ErrNotFound):
		d.fail(w, r, err)
		return
	}
	if data.Apps, err = d.cfg.Licensing.LicensedApps(r.Context(), v.Tenant.ID); err != nil {
		d.fail(w, r, err)
		return
	}
	p.Data = data
	d.show(w, r, "vpp.html", "vpp.title", p)
}

// uploadVPPToken takes the .vpptoken file from the form's field "token"; a missing, too
// large or unreadable file shows the page again with why, and nothing is stored.
func (d *Dashboard) uploadVPPToken(w http.ResponseWriter, r *http.Request) {
	if d.cfg.Licensing == nil {
		d.fail(w, r, errNoLicensing)
		return
	}
	v := viewerOf(r)
	file, err := vppTokenFile.read(r)
	if err == nil {
		_, err = d.cfg.Licensing.SetLicenceToken(r.Context(), v.Principal.Actor, v.Tenant.ID, file)
	}
	if err != nil {
		d.refusedOn(w, r, err, d.showVPP)
		return
	}
	back(w, r, Prefix+"/apple/vpp", "saved")
}

// vppTokenFile is the content token file (.vpptoken) from Apple Business Manager, uploaded
// or pasted as text; Apple's are well under a kilobyte.
var vppTokenFile = tokenFile{limit: 16 << 10,
	missing:  mdm.Refuse("refusal.vpp_token.missing", fmt.Errorf("%w: choose the .vpptoken file from Apple Business Manager", mdm.ErrInvalid)),
	tooLarge: mdm.Refuse("refusal.vpp_token.too_large", fmt.Errorf("%w: the file is larger than an Apps and Books token can be", mdm.ErrInvalid)),
}

// syncVPP has the catalogue read from Apple again.
func (d *Dashboard) syncVPP(w http.ResponseWriter, r *http.Request) {
	if d.cfg.Licensing == nil {
		d.fail(w, r, errNoLicensing)
		return
	}
	v := viewerOf(r)
	if err := d.cfg.Licensing.SyncLicensedApps(r.Context(), v.Principal.Actor, v.Tenant.ID); err != nil {
		d.fail(w, r, err)
		return
	}
	back(w, r, Prefix+"/apple/vpp", "queued")
}

// catalogueOf returns the tenant's catalogue by bundle ID for the policy editor; empty
// without licensing or when it cannot be read (the editor works without it).
func (d *Dashboard) catalogueOf(ctx context.Context, t mdm.Tenant) map[string]mdm.LicensedApp {
	out := map[string]mdm.LicensedApp{}
	if d.cfg.Licensing == nil {
		return out
	}
	apps, err := d.cfg.Licensing.LicensedApps(ctx, t.ID)
	if err != nil {
		d.cfg.Log.Warn("read the Apps and Books catalogue for the policy editor", "error", err)
		return out
	}
	for _, a := range apps {
		out[a.BundleID] = a
	}
	return out
}
