package dashboard

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/audit/export"
	"github.com/trennwand/trennwand/mdm/trail"
	"github.com/trennwand/trennwand/ui"
)

// auditRoutes are the audit trail: the page with its filters and the export of what the
// filters select.
func (d *Dashboard) auditRoutes() []Route {
	return []Route{
		{http.MethodGet, Prefix + "/audit", mdm.PermAuditRead, d.audit},
		{http.MethodPost, Prefix + "/audit/export", mdm.PermAuditExport, d.exportAudit},
	}
}

// auditFilters are the filters of the audit page as the address carries them, so that a
// filtered page can be bookmarked, sent on and exported. Every field is kept as typed,
// to fill the form again.
type auditFilters struct {
	From, To string // dates, YYYY-MM-DD; To is included
	Who      string // an actor as the trail writes it: "admin:<id>", "token:<id>", "system"
	Person   string // an employee's address or name
	Device   string // a device's ID
	What     string // a group of actions or one action
}

// auditFiltersOf reads the filters from a query or form.
func auditFiltersOf(v url.Values) auditFilters {
	get := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	return auditFilters{From: get("from"), To: get("to"), Who: get("who"), Person: get("person"), Device: get("device"), What: get("what")}
}

// Values returns the filters as a query, leaving out the empty ones.
func (f auditFilters) Values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"from": f.From, "to": f.To, "who": f.Who, "person": f.Person, "device": f.Device, "what": f.What} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// Any reports whether any filter is set.
func (f auditFilters) Any() bool { return len(f.Values()) > 0 }

// filter checks the filters and turns them into the trail's filter, looking up the
// person the filter names. A filter that cannot be right returns the message that says
// why, and the page shows no events rather than events the reader did not ask for.
func (d *Dashboard) filter(r *http.Request, f auditFilters, actors []audit.Party) (mdm.AuditFilter, *mdm.Employee, string) {
	out, msg := f.parse(actors)
	if msg != "" || f.Person == "" {
		return out, nil, msg
	}
	emp, msg, err := d.person(r, f.Person)
	if err != nil {
		d.cfg.Log.Error("audit filter: look up the person", "error", err)
		return out, nil, "problem.internal"
	}
	if msg != "" {
		return out, nil, msg
	}
	out.EmployeeID = emp.ID
	return out, &emp, ""
}

// parse checks every filter but the person, which needs a lookup, against the actors
// the tenant has.
func (f auditFilters) parse(actors []audit.Party) (mdm.AuditFilter, string) {
	var out mdm.AuditFilter
	var err error
	if out.From, err = export.ParseTime(f.From, false); err != nil {
		return mdm.AuditFilter{}, "audit.error.date"
	}
	if out.To, err = export.ParseTime(f.To, true); err != nil {
		return mdm.AuditFilter{}, "audit.error.date"
	}
	if !out.From.IsZero() && !out.To.IsZero() && !out.From.Before(out.To) {
		return mdm.AuditFilter{}, "audit.error.range"
	}
	if f.Who != "" {
		if !knownActor(f.Who, actors) {
			return mdm.AuditFilter{}, "audit.error.who"
		}
		out.Actor = f.Who
	}
	if f.Device != "" {
		if !mdm.IsID(f.Device) {
			return mdm.AuditFilter{}, "audit.error.device"
		}
		out.DeviceID = f.Device
	}
	if f.What != "" {
		if out.Actions = audit.ActionsNamed(f.What); out.Actions == nil {
			return mdm.AuditFilter{}, "audit.error.what"
		}
	}
	return out, ""
}

// knownActor reports whether who is an actor the filter offers: one of the tenant's
// accounts or the server itself.
func knownActor(who string, actors []audit.Party) bool {
	if who == string(audit.ActorSystem) {
		return true
	}
	for _, a := range actors {
		if string(a.Kind)+":"+a.ID == who {
			return true
		}
	}
	return false
}

// person finds the one employee an address or the start of a name names; a message when
// none or several do.
func (d *Dashboard) person(r *http.Request, s string) (mdm.Employee, string, error) {
	es, err := d.svc.EmployeePage(r.Context(), viewerOf(r).Tenant, mdm.EmployeeQuery{Search: s, Page: mdm.Page{Limit: 10}})
	if err != nil {
		return mdm.Employee{}, "", err
	}
	for _, e := range es {
		if strings.EqualFold(e.Email, s) {
			return e, "", nil
		}
	}
	switch len(es) {
	case 0:
		return mdm.Employee{}, "audit.error.person", nil
	case 1:
		return es[0], "", nil
	}
	return mdm.Employee{}, "audit.error.person_ambiguous", nil
}

// auditEvent is one event of the page: the sentence and what the technically minded may
// open.
type auditEvent struct {
	audit.Statement
	Sentence string
}

// auditPage is what the audit page shows.
type auditPage struct {
	Filters auditFilters
	Actors  []audit.Party
	// Who are the choices of the filter "who": each actor's reference and name.
	Who    []actorChoice
	Events []auditEvent
	Next   string // the address of the next page; empty on the last
	// Paged is true past the first page, which First leads back to.
	Paged bool
	First string
	// Action is true when the filter "what" names one action rather than a group.
	Action bool
	// DeviceName names the device the page is filtered by, WithoutDevice is the page
	// without that filter.
	DeviceName, WithoutDevice string
	// Recent is the verification from the last signed checkpoint to the head; Full the
	// verification of the whole trail when the reader asked for it.
	Recent trail.RecentVerification
	Full   *trail.ChainReport
	// Export says whether the reader may export and the installation can sign.
	Export bool
}

// actorChoice is one choice of the filter "who".
type actorChoice struct{ Ref, Label string }

// audit lists the audit trail newest first, a page at a time, each event as a sentence,
// with the filters, the state of the hash chain and the export of what is selected.
func (d *Dashboard) audit(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	ctx := r.Context()
	q := r.URL.Query()
	p := auditPage{Filters: auditFiltersOf(q), Export: d.cfg.AuditSigner != nil && v.Principal.Can(mdm.PermAuditExport)}
	var err error
	if p.Actors, err = d.svc.Trail.Actors(ctx, v.Tenant); err != nil {
		d.fail(w, r, err)
		return
	}
	if p.Recent, err = d.svc.Trail.VerifyRecent(ctx, v.Tenant); err != nil {
		d.fail(w, r, err)
		return
	}
	if q.Get("verify") == "all" {
		full, err := d.svc.Trail.VerifyTenantAudit(ctx, v.Tenant)
		if err != nil {
			d.fail(w, r, err)
			return
		}
		p.Full = &full
	}
	l := d.catalog.Localizer(ui.Lang(r))
	for _, a := range p.Actors {
		p.Who = append(p.Who, actorChoice{Ref: string(a.Kind) + ":" + a.ID, Label: actorPhrase(l, a)})
	}
	f, _, msg := d.filter(r, p.Filters, p.Actors)
	_, isGroup := audit.ParseGroup(p.Filters.What)
	p.Action = p.Filters.What != "" && !isGroup && msg == ""
	first := p.Filters.Values()
	p.First = Prefix + "/audit?" + first.Encode()
	if f.DeviceID != "" {
		st, err := d.svc.Trail.Describe(ctx, v.Tenant, []audit.Event{{Actor: mdm.ActorSystem, Subject: audit.Device.Of(f.DeviceID)}})
		if err != nil {
			d.fail(w, r, err)
			return
		}
		p.DeviceName = subjectPhrase(l, st[0].Subject)
		first.Del("device")
		p.WithoutDevice = Prefix + "/audit?" + first.Encode()
	}
	after, err := mdm.ParseAuditCursor(q.Get("after"))
	p.Paged = after.Seq > 0
	if err != nil && msg == "" {
		msg = "audit.error.cursor"
	}
	if msg != "" {
		d.show(w, r, "audit.html", "audit.title", page{Error: msg, Data: p})
		return
	}
	events, next, err := d.svc.Trail.LatestAuditPage(ctx, v.Tenant, f, after, mdm.DefaultPageSize)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	statements, err := d.svc.Trail.Describe(ctx, v.Tenant, events)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	p.Events = make([]auditEvent, len(statements))
	for i, st := range statements {
		p.Events[i] = auditEvent{Statement: st, Sentence: Sentence(l, st)}
	}
	if next != nil {
		nv := p.Filters.Values()
		nv.Set("after", next.String())
		p.Next = Prefix + "/audit?" + nv.Encode()
	}
	d.show(w, r, "audit.html", "audit.title", page{Data: p})
}

// exportAudit answers with the events the filters select as one ZIP archive: the events
// (CSV or JSON Lines), the manifest and its signature by the installation's CA, exactly as
// `trennwand audit export` writes them into a directory. The export is recorded in the
// trail, with who made it and what it selected, before the first event is written.
func (d *Dashboard) exportAudit(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	ctx := r.Context()
	if d.cfg.AuditSigner == nil {
		d.Problem(w, r, http.StatusNotFound, "audit.error.no_signer")
		return
	}
	if err := r.ParseForm(); err != nil {
		d.Problem(w, r, http.StatusBadRequest, "audit.error.form")
		return
	}
	filters := auditFiltersOf(r.PostForm)
	actors, err := d.svc.Trail.Actors(ctx, v.Tenant)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	f, emp, msg := d.filter(r, filters, actors)
	format := trail.AuditFormat(r.PostForm.Get("format"))
	if format != trail.AuditCSV && format != trail.AuditJSONLines {
		msg = "audit.error.format"
	}
	if msg != "" {
		d.Problem(w, r, http.StatusBadRequest, msg)
		return
	}
	req := trail.AuditExportRequest{Format: format, From: f.From, To: f.To, DeviceID: f.DeviceID, Actor: f.Actor, Actions: f.Actions}
	if emp != nil {
		req.EmployeeID = emp.ID
	}
	x, err := d.svc.Trail.PrepareAuditExport(ctx, v.Tenant, req)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	signer, err := d.cfg.AuditSigner(ctx)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	out := NewDownload(w, "application/zip", export.ArchiveName(x, d.svc.Settings().Now()))
	_, err = export.WriteArchive(out, x, v.Principal.Actor, signer, func(write func(audit.Event) error) (trail.AuditExported, error) {
		return d.svc.Trail.ExportAudit(ctx, v.Principal.Actor, x, write)
	})
	switch {
	case err != nil && !out.Started():
		d.fail(w, r, err)
	case err != nil:
		// The archive is cut short, which its reader sees; the status is sent already.
		d.cfg.Log.Error("audit export broke off", "tenant", v.Tenant.Name, "error", err)
	}
}
