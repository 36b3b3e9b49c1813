package dashboard

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/trennwand/trennwand/mdm"
)

// maxPEMBytes bounds an uploaded certificate or key; real ones have a few kilobytes.
const maxPEMBytes = 64 << 10

// errPlatformOff refuses a platform form when the installation lacks the platform.
var errPlatformOff = mdm.Refuse("refusal.platform_off", fmt.Errorf("%w: this platform is not switched on for the installation", mdm.ErrInvalid))

// uploadPushCertificate makes the uploaded certificate and key the tenant's MDM push
// certificate, with the checks of `trennwand apple push-cert upload`.
func (d *Dashboard) uploadPushCertificate(w http.ResponseWriter, r *http.Request) {
	if d.cfg.Apple == nil {
		d.refused(w, r, errPlatformOff)
		return
	}
	certPEM, err := uploaded(r, "cert")
	if err != nil {
		d.refused(w, r, err)
		return
	}
	keyPEM, err := uploaded(r, "key")
	if err != nil {
		d.refused(w, r, err)
		return
	}
	v := viewerOf(r)
	if _, err := d.cfg.Apple.SetPushCertificate(r.Context(), v.Principal.Actor, v.Tenant.ID, certPEM, keyPEM); err != nil {
		d.refused(w, r, err)
		return
	}
	back(w, r, Prefix+"/settings", "saved")
}

// uploaded reads the file of a form field, or the text pasted into the field of the same
// name with "_text" appended.
func uploaded(r *http.Request, field string) ([]byte, error) {
	if text := strings.TrimSpace(r.PostFormValue(field + "_text")); text != "" {
		return []byte(text), nil
	}
	b, ok, err := uploadedFile(r, field, maxPEMBytes,
		mdm.Refuse("refusal.upload_too_large."+field, fmt.Errorf("%w: the %s is larger than a PEM file can be", mdm.ErrInvalid, fieldNames[field])))
	if !ok {
		return nil, mdm.Refuse("refusal.upload_missing."+field, fmt.Errorf("%w: choose the file of the %s, or paste it", mdm.ErrInvalid, fieldNames[field]))
	}
	return b, err
}

var fieldNames = map[string]string{"cert": "push certificate", "key": "private key"}

// bindAndroid binds the tenant to an existing Android enterprise, as `trennwand android
// bind` does, and shows the push URL for the Pub/Sub subscription once.
func (d *Dashboard) bindAndroid(w http.ResponseWriter, r *http.Request) {
	if d.cfg.Android == nil {
		d.refused(w, r, errPlatformOff)
		return
	}
	v := viewerOf(r)
	topic := strings.TrimSpace(r.PostFormValue("topic"))
	var err error
	if topic == "" {
		topic, err = d.cfg.Android.DefaultTopic(v.Tenant)
	}
	var b AndroidBinding
	if err == nil {
		b, err = d.cfg.Android.Bind(r.Context(), v.Principal.Actor, v.Tenant, strings.TrimSpace(r.PostFormValue("enterprise")), topic)
	}
	if err != nil {
		d.refused(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	d.showSettings(w, r, page{Flash: "done.saved"}, &b)
}

// signUpAndroid starts the sign-up of a new Android enterprise and sends the browser to
// Google's page; Google returns to the platform's sign-up callback.
func (d *Dashboard) signUpAndroid(w http.ResponseWriter, r *http.Request) {
	if d.cfg.Android == nil {
		d.refused(w, r, errPlatformOff)
		return
	}
	v := viewerOf(r)
	u, err := d.cfg.Android.StartSignup(r.Context(), v.Principal.Actor, v.Tenant)
	if err != nil {
		d.refused(w, r, err)
		return
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}
