package dashboard

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/metrics"
	"github.com/trennwand/trennwand/mdm/overview"
)

// recentEvents is how many of the newest audit events the overview names.
const recentEvents = 8

// overviewData is what the overview shows, each part to those who may see it: counts by
// platform, state and compliance, the charts, what needs attention, the newest events of
// the audit trail, and a new tenant's set-up.
type overviewData struct {
	Total      int64
	ByPlatform map[string]int64
	ByState    map[string]int64
	Compliance map[string]int64
	// Figures are the days and versions the charts and tables show; nil without the
	// permission to read devices.
	Figures *overviewFigures
	// Attention is what needs attention; Checked says whether anything was looked at, so
	// that "nothing needs attention" is said only then.
	Attention []attentionItem
	Checked   bool
	Events    []recentEvent
	// Checklist is a new tenant's set-up, shown to administrators until it is done.
	Checklist []checkItem
}

// overviewFigures are the charts with the numbers of their tables.
type overviewFigures struct {
	Days        []overview.Day
	Enrolments  columnChart
	Compliance  columnChart
	Versions    versionChart
	Enrolled    int64 // the enrolments of all days shown
	Today       overview.ComplianceDay
	HasVersions bool
	VersionsAt  time.Time // when the versions were counted; zero: not yet
}

// attentionItem is one line of "needs attention": the message with its data and where to
// act on it.
type attentionItem struct {
	overview.Item
	Message string
	Link    string
	Act     string // the message ID of the link's text
}

// recentEvent is one of the newest audit events, named in words.
type recentEvent struct {
	Seq    int64
	Label  string // the message ID of the event's action
	At     string
	Anchor string // the audit page from this event on
}

func (d *Dashboard) overview(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	data := overviewData{ByPlatform: map[string]int64{}, ByState: map[string]int64{}, Compliance: map[string]int64{}}
	if v.Principal.Can(mdm.PermDevicesRead) {
		f, err := d.svc.Overview.Figures(r.Context(), v.Tenant)
		if err != nil {
			d.fail(w, r, err)
			return
		}
		for _, c := range f.Counts {
			data.Total += c.Count
			data.ByPlatform[string(c.Platform)] += c.Count
			data.ByState[string(c.State)] += c.Count
			data.Compliance[string(c.Compliance)] += c.Count
		}
		data.Figures = figuresOf(f)
		data.Attention = append(data.Attention, deviceAttention(f.Attention(), v.Principal.Can(mdm.PermSettingsManage))...)
		data.Checked = true
	}
	if v.Principal.Can(mdm.PermSettingsManage) && d.cfg.Expiries != nil {
		ex, err := d.cfg.Expiries(r.Context(), v.Tenant)
		if err != nil {
			d.fail(w, r, err)
			return
		}
		data.Attention = append(data.Attention, expiryAttention(overview.Expiring(ex, d.svc.Settings().Now()))...)
		data.Checked = true
	}
	if v.Principal.Can(mdm.PermAuditRead) {
		head, err := d.svc.Trail.AuditHead(r.Context(), v.Tenant.ID)
		if err != nil {
			d.fail(w, r, err)
			return
		}
		events, err := d.svc.Trail.AuditPage(r.Context(), v.Tenant, mdm.AuditFilter{}, max(head.Seq-recentEvents, 0), recentEvents)
		if err != nil {
			d.fail(w, r, err)
			return
		}
		data.Events = recentOf(events)
	}
	if v.Principal.Can(mdm.PermSettingsManage) {
		var err error
		if data.Checklist, err = d.checklist(r.Context(), v.Tenant); err != nil {
			d.fail(w, r, err)
			return
		}
	}
	d.show(w, r, "overview.html", "overview.title", page{Data: data})
}

// figuresOf lays out the charts of the figures.
func figuresOf(f overview.Figures) *overviewFigures {
	out := &overviewFigures{Days: f.Days, Enrolments: enrolmentChart(f.Days), Compliance: complianceChart(f.Days),
		Versions: newVersionChart(f.Versions), HasVersions: len(f.Versions) > 0, VersionsAt: f.VersionsAt}
	for _, d := range f.Days {
		out.Enrolled += d.Enrolments
	}
	if n := len(f.Days); n > 0 && f.Days[n-1].Compliance != nil {
		out.Today = *f.Days[n-1].Compliance
	}
	return out
}

// deviceAttention says what the devices' items are and where the devices are listed; the
// inactivity rule's setting is linked for those who may change it.
func deviceAttention(items []overview.Item, settings bool) []attentionItem {
	out := make([]attentionItem, 0, len(items))
	for _, it := range items {
		a := attentionItem{Item: it, Message: "overview.needs." + it.Kind, Act: "overview.act." + it.Kind}
		switch it.Kind {
		case overview.NeedsNonCompliant, overview.NeedsInGrace:
			a.Link = Prefix + "/devices?" + url.Values{"compliance": {it.Kind}}.Encode()
		case overview.NeedsInactive:
			// The device list has no filter for it yet; the rule's setting says what
			// happens to them.
			if settings {
				a.Link = Prefix + "/settings#dataprotection"
			}
		case overview.NeedsFailedCommands:
			a.Link = Prefix + "/devices"
		}
		out = append(out, a)
	}
	return out
}

// expiryLinks are where each certificate or token is renewed; the CA's and the server's
// are renewed by the operator of the installation, outside the dashboard.
var expiryLinks = map[string]string{
	metrics.ExpiryAPNs:           Prefix + "/settings#apple",
	metrics.ExpiryAppsAndBooks:   Prefix + "/apple/vpp",
	metrics.ExpiryABMServerToken: Prefix + "/apple/abm",
}

// expiryAttention says which certificates and tokens end soon.
func expiryAttention(items []overview.Item) []attentionItem {
	out := make([]attentionItem, 0, len(items))
	for _, it := range items {
		msg := "overview.expires." + it.Kind
		if it.Expired {
			msg = "overview.expired." + it.Kind
		}
		out = append(out, attentionItem{Item: it, Message: msg, Link: expiryLinks[it.Kind], Act: "overview.act." + it.Kind})
	}
	return out
}

// recentOf names the events, newest first.
func recentOf(events []audit.Event) []recentEvent {
	out := make([]recentEvent, 0, len(events))
	for _, e := range slices.Backward(events) {
		out = append(out, recentEvent{Seq: e.Seq, Label: "overview.event." + string(e.Action), At: when(e.At),
			Anchor: fmt.Sprintf("%s/audit?after=%d", Prefix, e.Seq-1)})
	}
	return out
}
