package portal

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/ui"
)

// statusPage is what the status page shows.
type statusPage struct {
	Code    string
	Devices []deviceEntry
	Removed bool // the employee has just removed a work container
	Lost    bool // the employee has just reported a phone lost
	Problem string
	Refresh refresh
}

// deviceEntry is one device on the status page, with the Android step while the phone is
// still to be set up.
type deviceEntry struct {
	mdm.Device
	Step  *mdm.EnrolmentStep
	QRURL string
	// Progress are the steps of the set-up; none while the work area is being removed.
	Progress []shownStep
	// RemoveURL asks to remove the work area; empty while nothing is set up on the phone.
	RemoveURL string
	// LostURL reports the company-owned phone lost; empty for the employee's own phone
	// and for one reported lost already (ReportedLostAt).
	LostURL string
	// ReportedLostAt is when the phone was reported lost, while the report stands.
	ReportedLostAt string
	// Broken are the compliance rules the device breaks, with what to do by when.
	Broken []brokenRule
	// Until is, while the device is in grace, the day by which to fix it.
	Until string
}

// entryOf is the status page's entry for device d with its work apps as reported, and
// whether the device's set-up is still under way.
func (p *Portal) entryOf(r *http.Request, code string, d mdm.Device, apps mdm.WorkAppProgress) (deviceEntry, bool) {
	e := deviceEntry{Device: d}
	if d.ComplianceUntil != nil {
		e.Until = d.ComplianceUntil.UTC().Format("2006-01-02")
	}
	waiting := false
	if d.State != mdm.DeviceRemoving {
		pr := progressOf(d.State, apps)
		e.Progress, waiting = pr.show(p.catalog.Localizer(ui.Lang(r))), pr.Waiting()
	}
	if removable(d) {
		e.RemoveURL = codeURL(code, "remove") + "?" + url.Values{"device": {d.ID}, "lang": {ui.Lang(r)}}.Encode()
	}
	return e, waiting
}

// removable reports whether the employee may remove the work area of d: once the phone
// has something of it (it got in touch), and until its removal is under way.
func removable(d mdm.Device) bool {
	return d.State == mdm.DeviceEnrolling || d.State == mdm.DeviceActive
}

// brokenRule is one compliance rule a device breaks, as the status page tells it.
type brokenRule struct {
	Rule       string
	MinVersion string
	Due        string
}

// serveStatus shows the employee's devices with how far each is set up; while one is
// still under way the page reloads itself.
func (p *Portal) serveStatus(w http.ResponseWriter, r *http.Request, code string, v enrolment.PortalView) {
	page := statusPage{Code: code, Removed: r.URL.Query().Get("removed") == "1", Lost: r.URL.Query().Get("lost") == "1"}
	apps, err := p.cfg.Service.Enrolment.WorkAppsOf(r.Context(), v.Devices...)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	waiting := false
	for _, d := range v.Devices {
		e, under := p.entryOf(r, code, d, apps[d.ID])
		waiting = waiting || under
		if d.State == mdm.DeviceActive {
			broken, err := p.brokenRules(r, d)
			if err != nil {
				p.fail(w, r, err)
				return
			}
			e.Broken = broken
		}
		if reportable(d) {
			at, err := p.cfg.Service.ReportedLost(r.Context(), v.Tenant, d.ID)
			if err != nil {
				p.fail(w, r, err)
				return
			}
			if at != nil {
				e.ReportedLostAt = moment(r, *at)
			} else {
				e.LostURL = codeURL(code, "lost") + "?" + url.Values{"device": {d.ID}, "lang": {ui.Lang(r)}}.Encode()
			}
		}
		if p.enrolsByLink(d) {
			if err := p.cfg.Service.Enrolment.PlatformSetUp(r.Context(), v.Tenant, d.Platform); err != nil {
				p.fail(w, r, err)
				return
			}
			step, err := p.step(r, v, d)
			if err != nil {
				p.fail(w, r, err)
				return
			}
			if step != nil {
				e.Step, e.QRURL = step, codeURL(code, "android.png")
			}
		}
		page.Devices = append(page.Devices, e)
	}
	page.Refresh = p.autoRefresh(w, r, code, waiting)
	p.render(w, r, http.StatusOK, pageStatus, "status.title", page)
}

// step asks the device's driver for its enrolment step; nil when the platform has no
// driver yet.
func (p *Portal) step(r *http.Request, v enrolment.PortalView, d mdm.Device) (*mdm.EnrolmentStep, error) {
	driver, ok := p.cfg.Drivers[d.Platform]
	if !ok {
		return nil, nil
	}
	step, err := driver.EnrolmentStep(r.Context(), v.Tenant, d)
	if err != nil {
		return nil, err
	}
	return &step, nil
}

// serveAndroidQR answers the QR code of the Android enrolment link, for setting the phone
// up from a page opened on another screen; for a company-owned phone, the provisioning QR
// code its setup wizard scans.
func (p *Portal) serveAndroidQR(w http.ResponseWriter, r *http.Request) {
	v, err := p.cfg.Service.Enrolment.OpenInvitation(r.Context(), p.cfg.ClientAddr(r), r.PathValue("code"))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	i := slices.IndexFunc(v.Devices, func(d mdm.Device) bool {
		return p.enrolsByLink(d)
	})
	if i < 0 {
		http.NotFound(w, r)
		return
	}
	step, err := p.step(r, v, v.Devices[i])
	if err != nil || step == nil || (step.URL == "" && step.QRCode == "") {
		p.fail(w, r, errors.Join(errors.New("no Android enrolment link"), err))
		return
	}
	if err := ui.WriteQR(w, cmp.Or(step.QRCode, step.URL), 384); err != nil {
		p.fail(w, r, err)
	}
}

// brokenRules returns the compliance rules the device breaks.
func (p *Portal) brokenRules(r *http.Request, d mdm.Device) ([]brokenRule, error) {
	dc, err := p.cfg.Service.Compliance.Of(r.Context(), d.TenantID, d.ID)
	if err != nil {
		return nil, err
	}
	rules, err := p.cfg.Service.Compliance.RulesOf(r.Context(), d)
	if err != nil {
		return nil, err
	}
	var out []brokenRule
	for _, st := range dc.Rules {
		if st.Failure == nil {
			continue
		}
		b := brokenRule{Rule: string(st.Rule), Due: st.Failure.DueAt.UTC().Format("2006-01-02")}
		for _, set := range rules {
			if set.Rule == st.Rule {
				b.MinVersion = set.MinVersion
			}
		}
		out = append(out, b)
	}
	return out, nil
}

// enrolsByLink reports whether the device waits for the employee to follow its platform's
// enrolment link, which the portal then shows (as a link and as a QR code).
func (p *Portal) enrolsByLink(d mdm.Device) bool {
	return d.State == mdm.DeviceInvited && p.cfg.Service.CapabilitiesOf(d.Platform).Has(mdm.EnrolsByPortalLink)
}
