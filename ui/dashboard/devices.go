package dashboard

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/compliance"
)

// deviceFilters is the search form of the device list, as the user filled it in.
type deviceFilters struct {
	Q, Platform, State, Compliance string
}

// devicesData is what the device list shows.
type devicesData struct {
	Filters deviceFilters
	Devices []mdm.DeviceListing
	Next    string // the link to the next page, empty on the last
}

// devices lists one page of devices, newest first, filtered and searched.
func (d *Dashboard) devices(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	q := r.URL.Query()
	f := deviceFilters{Q: q.Get("q"), Platform: q.Get("platform"), State: q.Get("state"), Compliance: q.Get("compliance")}
	query := mdm.DeviceQuery{Search: f.Q, Page: mdm.Page{Limit: mdm.DefaultPageSize}}
	var err error
	if f.Platform != "" {
		if query.Platform, err = mdm.ParsePlatform(f.Platform); err != nil {
			d.fail(w, r, err)
			return
		}
	}
	if f.State != "" {
		if query.State, err = mdm.ParseDeviceState(f.State); err != nil {
			d.fail(w, r, err)
			return
		}
	}
	switch c := mdm.Compliance(f.Compliance); c {
	case "", mdm.ComplianceCompliant, mdm.ComplianceInGrace, mdm.ComplianceNonCompliant, mdm.ComplianceUnknown:
		query.Compliance = c
	default:
		d.fail(w, r, fmt.Errorf("%w: compliance %q", mdm.ErrInvalid, f.Compliance))
		return
	}
	if query.After, err = mdm.ParseCursor(q.Get("after")); err != nil {
		d.fail(w, r, err)
		return
	}
	ds, err := d.svc.DevicePage(r.Context(), v.Tenant, query)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	data := devicesData{Filters: f, Devices: ds}
	if len(ds) == query.Limit {
		last := ds[len(ds)-1]
		next := url.Values{"q": {f.Q}, "platform": {f.Platform}, "state": {f.State}, "compliance": {f.Compliance},
			"after": {mdm.Cursor{At: last.CreatedAt, ID: last.ID}.String()}}
		data.Next = Prefix + "/devices?" + next.Encode()
	}
	d.show(w, r, "devices.html", "devices.title", page{Data: data})
}

// device shows one device; the service records the access in the audit trail.
func (d *Dashboard) device(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	detail, err := d.svc.ViewDevice(r.Context(), v.Principal.Actor, v.Tenant, r.PathValue("id"))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	data := deviceData{DeviceDetail: detail, Can: d.svc.CapabilitiesOf(detail.Device.Platform)}
	if v.Principal.Can(mdm.PermPoliciesRead) {
		if data.Policies, err = d.svc.WorkPolicy.WorkPolicies(r.Context(), v.Tenant); err != nil {
			d.fail(w, r, err)
			return
		}
	}
	if data.Compliance, err = d.svc.Compliance.Of(r.Context(), v.Tenant.ID, detail.Device.ID); err != nil {
		d.fail(w, r, err)
		return
	}
	if data.CertificateKey, err = d.certificateKeyOf(r, detail.Device); err != nil {
		d.fail(w, r, err)
		return
	}
	d.show(w, r, "device.html", "device.title", page{Data: data, Flash: flash(r)})
}

// deviceData is what the device page shows: the device, its compliance, the key its
// Android certificates are bound to and, for those who may move it to another, the
// tenant's work policies.
type deviceData struct {
	mdm.DeviceDetail
	// Can is what the device's platform can do, which decides the actions offered.
	Can            mdm.Capability
	Policies       []mdm.WorkPolicy
	Compliance     compliance.DeviceCompliance
	CertificateKey *CertificateKey
}

// Offers reports whether the device page offers the action: only where the device's
// platform can carry it out.
func (d deviceData) Offers(a deviceAction) bool { return a.Needs == 0 || d.Can.Has(a.Needs) }

// PolicyName is the name of the device's work policy; empty without one or when the
// viewer may not read policies.
func (d deviceData) PolicyName() string {
	for _, p := range d.Policies {
		if d.Device.WorkPolicyID != nil && p.ID == *d.Device.WorkPolicyID {
			return p.Name
		}
	}
	return ""
}

// moveDevice moves the device to the work policy chosen on its page.
func (d *Dashboard) moveDevice(w http.ResponseWriter, r *http.Request) {
	v, id := viewerOf(r), r.PathValue("id")
	if _, err := d.svc.WorkPolicy.AssignWorkPolicy(r.Context(), v.Principal.Actor, v.Tenant, id, r.PostFormValue("policy")); err != nil {
		d.fail(w, r, err)
		return
	}
	back(w, r, Prefix+"/devices/"+id, "moved")
}

// confirmedReason returns the reason of an action form whose confirmation box is ticked.
func confirmedReason(r *http.Request) (string, error) {
	if r.PostFormValue("confirm") != "yes" {
		return "", fmt.Errorf("%w: tick the box to confirm the action", mdm.ErrInvalid)
	}
	return mdm.ParseReason(r.PostFormValue("reason"))
}

// deviceAction runs an action of the device page's forms with its confirmed reason, then
// shows the device again with the message done.
func (d *Dashboard) deviceAction(done string, act func(r *http.Request, v Viewer, id, reason string) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, id := viewerOf(r), r.PathValue("id")
		reason, err := confirmedReason(r)
		if err == nil {
			err = act(r, v, id, reason)
		}
		if err != nil {
			d.fail(w, r, err)
			return
		}
		back(w, r, Prefix+"/devices/"+id, done)
	}
}

// deviceCommand queues a command for the device.
func (d *Dashboard) deviceCommand(kind mdm.CommandKind) http.HandlerFunc {
	return d.deviceAction("queued", func(r *http.Request, v Viewer, id, reason string) error {
		_, err := d.svc.CommandDevice(r.Context(), v.Principal.Actor, v.Tenant, id, kind, reason)
		return err
	})
}

// removeWorkData removes the device's work container and revokes its certificates.
func (d *Dashboard) removeWorkData() http.HandlerFunc {
	return d.deviceAction("removed", func(r *http.Request, v Viewer, id, reason string) error {
		return d.svc.RemoveDevice(r.Context(), v.Principal.Actor, v.Tenant, id, reason)
	})
}

// revokeCertificates revokes the device's certificates.
func (d *Dashboard) revokeCertificates() http.HandlerFunc {
	return d.deviceAction("revoked", func(r *http.Request, v Viewer, id, reason string) error {
		_, err := d.svc.RevokeDeviceCertificates(r.Context(), v.Principal.Actor, v.Tenant, id, reason)
		return err
	})
}

// atoi reads a non-negative number from a form or query; zero when it is none.
func atoi(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
