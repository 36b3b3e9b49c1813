package portal

import (
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

// lostPage is the confirmation before a company-owned phone is reported lost, or, once it
// was, the page that says so.
type lostPage struct {
	Device mdm.Device
	// LostMode says that the phone is put into lost mode; otherwise it is locked.
	LostMode bool
	// LockScreen is what of the text the tenant set for its phones' lock screens the phone
	// shows: all of it in lost mode, what a lock shows otherwise (mdm.LostModeText.OnLock).
	// Empty where the tenant set none; in lost mode the phone then shows that it belongs to
	// the Employer.
	LockScreen mdm.LostModeText
	Employer   string
	// ReportedAt is when the phone was reported lost already; empty while it was not.
	ReportedAt string
	Action     string // where the report is posted
	BackURL    string
	Problem    string
}

// serveLostConfirmation asks the employee to confirm that their company-owned phone is
// lost, saying what happens to it and what does not. Only an active company-owned phone
// of the employee can be reported; any other device is answered as unknown.
func (p *Portal) serveLostConfirmation(w http.ResponseWriter, r *http.Request) {
	p.confirmLost(w, r, http.StatusOK, r.URL.Query().Get("device"), "")
}

// confirmLost shows the confirmation for the device, with a problem of the last
// submission if there was one; for a phone reported lost already it says since when.
func (p *Portal) confirmLost(w http.ResponseWriter, r *http.Request, status int, deviceID, problemID string) {
	code := r.PathValue("code")
	v, r, err := p.open(r, code)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d, ok := reportableOf(v, deviceID)
	if !ok {
		p.noLostDevice(w, r)
		return
	}
	kind, err := p.cfg.Service.LostCommand(r.Context(), d, p.cfg.Drivers[d.Platform])
	if err != nil {
		p.fail(w, r, err)
		return
	}
	at, err := p.cfg.Service.ReportedLost(r.Context(), v.Tenant, d.ID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	page := lostPage{Device: d, LostMode: kind == mdm.CommandStartLostMode, LockScreen: v.Tenant.LostMode, Employer: v.Tenant.DisplayName,
		Action: withLang(r, codeURL(code, "lost")), BackURL: withLang(r, codeURL(code)), Problem: problemID}
	if !page.LostMode {
		page.LockScreen = v.Tenant.LostMode.OnLock(p.cfg.Service.CapabilitiesFor(d))
	}
	if at != nil {
		page.ReportedAt = moment(r, *at)
	}
	p.render(w, r, status, pageLost, "lost.title", page)
}

// serveLost reports the employee's company-owned phone lost once the employee confirmed
// it: the phone is put into lost mode or locked, through the same path as when IT orders
// it, and the status page says that it is under way. The employee's own phone is refused
// with a page that says why, and nothing is ordered.
func (p *Portal) serveLost(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	if err := r.ParseForm(); err != nil {
		p.badForm(w, r)
		return
	}
	device := r.PostForm.Get("device")
	if r.PostForm.Get("confirm") != "yes" {
		p.confirmLost(w, r, http.StatusBadRequest, device, "lost.problem.confirm")
		return
	}
	v, r, err := p.open(r, code)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if !slices.ContainsFunc(v.Devices, func(d mdm.Device) bool { return d.ID == device }) {
		p.noLostDevice(w, r)
		return
	}
	// The employee's own phone is refused by the privacy matrix, on the one path of every
	// command ordered by hand.
	_, err = p.cfg.Service.Enrolment.ReportOwnDeviceLost(r.Context(), p.cfg.ClientAddr(r), code, device, p.cfg.Drivers)
	var already *mdm.ReportedLostError
	switch {
	case err == nil:
		http.Redirect(w, r, withLang(r, codeURL(code)+"?lost=1"), http.StatusSeeOther)
	case errors.As(err, &already):
		p.confirmLost(w, r, http.StatusConflict, device, "")
	case errors.Is(err, mdm.ErrPersonalDevice):
		p.render(w, r, http.StatusForbidden, pageProblem, "problem.personal_lost.title",
			problem{Heading: "problem.personal_lost.title", Text: "problem.personal_lost.text"})
	case errors.Is(err, mdm.ErrConflict):
		p.render(w, r, http.StatusConflict, pageProblem, "problem.lost_not_active.title",
			problem{Heading: "problem.lost_not_active.title", Text: "problem.lost_not_active.text"})
	case errors.Is(err, mdm.ErrNotFound):
		p.noLostDevice(w, r)
	default:
		p.fail(w, r, err)
	}
}

// reportable reports whether the employee may report d lost: a company-owned phone that
// is set up. The employee's own phone is never locked or put into lost mode.
func reportable(d mdm.Device) bool {
	return d.Ownership.Company() && d.State == mdm.DeviceActive
}

// reportableOf returns the employee's device with the ID if it can be reported lost.
func reportableOf(v enrolment.PortalView, id string) (mdm.Device, bool) {
	i := slices.IndexFunc(v.Devices, func(d mdm.Device) bool { return d.ID == id && reportable(d) })
	if i < 0 {
		return mdm.Device{}, false
	}
	return v.Devices[i], true
}

// noLostDevice answers a report for a device that is not one of the employee's
// company-owned phones that are set up.
func (p *Portal) noLostDevice(w http.ResponseWriter, r *http.Request) {
	p.render(w, r, http.StatusNotFound, pageProblem, "problem.no_device.title",
		problem{Heading: "problem.no_device.title", Text: "problem.no_lost_device.text"})
}

// moment is a time as the page's language writes it, in UTC.
func moment(r *http.Request, t time.Time) string {
	return t.UTC().Format(dateFormat(r)+" 15:04") + " UTC"
}
