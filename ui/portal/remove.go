package portal

import (
	"errors"
	"net/http"
	"slices"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

// removePage is the confirmation before the work area of a phone is removed.
type removePage struct {
	Device  mdm.Device
	Action  string // where the confirmation is posted
	BackURL string
	Problem string
}

// serveRemoveConfirmation asks the employee to confirm removing the work area of one of
// their phones, saying what goes and what stays. Only a phone on which something is set
// up has one to remove; any other device is answered as unknown.
func (p *Portal) serveRemoveConfirmation(w http.ResponseWriter, r *http.Request) {
	p.confirmRemoval(w, r, http.StatusOK, r.URL.Query().Get("device"), "")
}

// confirmRemoval shows the confirmation for the device, with a problem of the last
// submission if there was one.
func (p *Portal) confirmRemoval(w http.ResponseWriter, r *http.Request, status int, deviceID, problemID string) {
	code := r.PathValue("code")
	v, r, err := p.open(r, code)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d, ok := removableOf(v, deviceID)
	if !ok {
		p.noDevice(w, r)
		return
	}
	page := removePage{Device: d, Action: withLang(r, codeURL(code, "remove")), BackURL: withLang(r, codeURL(code)), Problem: problemID}
	p.render(w, r, status, pageRemove, "remove.title", page)
}

// serveRemove removes the work area of one of the employee's phones once the employee
// confirmed it, and shows the status page again, which says that it is under way.
func (p *Portal) serveRemove(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	if err := r.ParseForm(); err != nil {
		p.badForm(w, r)
		return
	}
	device := r.PostForm.Get("device")
	if r.PostForm.Get("confirm") != "yes" {
		p.confirmRemoval(w, r, http.StatusBadRequest, device, "remove.problem.confirm")
		return
	}
	v, r, err := p.open(r, code)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if _, ok := removableOf(v, device); !ok {
		p.noDevice(w, r)
		return
	}
	err = p.cfg.Service.Enrolment.RemoveOwnDevice(r.Context(), p.cfg.ClientAddr(r), code, device)
	if errors.Is(err, mdm.ErrNotFound) {
		p.noDevice(w, r)
		return
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withLang(r, codeURL(code)+"?removed=1"), http.StatusSeeOther)
}

// badForm answers a form that cannot be read.
func (p *Portal) badForm(w http.ResponseWriter, r *http.Request) {
	p.render(w, r, http.StatusBadRequest, pageProblem, "problem.form.title",
		problem{Heading: "problem.form.title", Text: "problem.form.text"})
}

// removableOf returns the employee's device with the ID if its work area can be removed.
func removableOf(v enrolment.PortalView, id string) (mdm.Device, bool) {
	i := slices.IndexFunc(v.Devices, func(d mdm.Device) bool { return d.ID == id && removable(d) })
	if i < 0 {
		return mdm.Device{}, false
	}
	return v.Devices[i], true
}

// noDevice answers a removal for a device that is not one of the employee's phones with
// something to remove.
func (p *Portal) noDevice(w http.ResponseWriter, r *http.Request) {
	p.render(w, r, http.StatusNotFound, pageProblem, "problem.no_device.title",
		problem{Heading: "problem.no_device.title", Text: "problem.no_device.text"})
}

// removedPage is what the link of a removed work area says.
type removedPage struct {
	// On is the day the work area was removed; empty once its record is gone.
	On string
}

// serveRemoved says that the work area set up with the link was removed, when, that the
// private side was not touched, and what to do next.
func (p *Portal) serveRemoved(w http.ResponseWriter, r *http.Request, err error) {
	var page removedPage
	var removed *enrolment.WorkAreaRemovedError
	if errors.As(err, &removed) && !removed.At.IsZero() {
		page.On = removed.At.UTC().Format(dateFormat(r))
	}
	p.render(w, r, http.StatusGone, pageRemoved, "removed.title", page)
}
