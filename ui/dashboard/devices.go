package dashboard

import (
	"fmt"
	"net/http"
	"strconv"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/compliance"
)

// device shows one device; the service records the access in the audit trail.
func (d *Dashboard) device(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	detail, err := d.svc.ViewDevice(r.Context(), v.Principal.Actor, v.Tenant, r.PathValue("id"))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	dev := detail.Device
	data := deviceData{DeviceDetail: detail, Can: d.svc.CapabilitiesFor(dev),
		Provisioning: dev.State == mdm.DeviceInvited && dev.Ownership.Company() && d.cfg.Drivers[dev.Platform] != nil}
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
	if data.Apps, err = d.svc.DeviceWorkApps(r.Context(), v.Tenant, detail.Device); err != nil {
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
	// Can is what may be done to the device, by its platform and its ownership, which
	// decides the actions offered.
	Can            mdm.Capability
	Policies       []mdm.WorkPolicy
	Compliance     compliance.DeviceCompliance
	CertificateKey *CertificateKey
	// Apps are the work apps of the device's policy with what its platform reported
	// (mdm.Service.DeviceWorkApps): never anything the policy does not put there.
	Apps []mdm.WorkApp
	// Provisioning says that the device is an invited company-owned phone, which IT may
	// set up with the code its platform makes (provisioningQR).
	Provisioning bool
}

// Offers reports whether the device page offers the action: only where the device's
// platform can carry it out and its ownership allows it.
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
		return "", mdm.Refuse("refusal.confirm", fmt.Errorf("%w: tick the box to confirm the action", mdm.ErrInvalid))
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

// provisioningQR answers the QR code an invited company-owned phone scans in its setup
// wizard, for IT that sets the phone up itself; each answer is a fresh code.
func (d *Dashboard) provisioningQR(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	code, err := d.svc.ProvisioningCode(r.Context(), v.Tenant, r.PathValue("id"), d.cfg.Drivers)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	png, err := qrcode.Encode(code, qrcode.Medium, 384)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(png)
}

// wipeDevice erases a company-owned phone as a whole and revokes its certificates.
func (d *Dashboard) wipeDevice() http.HandlerFunc {
	return d.deviceAction("wiped", func(r *http.Request, v Viewer, id, reason string) error {
		return d.svc.WipeDevice(r.Context(), v.Principal.Actor, v.Tenant, id, reason)
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
