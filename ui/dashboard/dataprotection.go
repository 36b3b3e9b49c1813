package dashboard

import (
	"bytes"
	"html/template"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/ui"
	"github.com/trennwand/trennwand/ui/dpo"
)

// dataProtectionRoutes are the data-protection officer's part of the dashboard: the
// overview of what they may read, the employees without any action, each employee's
// report (Art. 15 GDPR), the record of processing (Art. 30), the three drafts and the
// access log. Every page reads; none changes anything but the audit trail, which records
// each report and draft made.
func (d *Dashboard) dataProtectionRoutes() []Route {
	get := http.MethodGet
	return []Route{
		{get, Prefix + "/data-protection", mdm.PermDataProtectionRead, d.dataProtection},
		{get, Prefix + "/data-protection/employees", mdm.PermDataProtectionRead, d.employeeList(dpoEmployees)},
		{get, Prefix + "/data-protection/employees/:id", mdm.PermDataProtectionRead, d.employeeReport},
		{get, Prefix + "/data-protection/processing", mdm.PermDataProtectionRead, d.processingRecord},
		{get, Prefix + "/data-protection/documents/:id", mdm.PermDataProtectionRead, d.document},
		{get, Prefix + "/data-protection/access-log", mdm.PermAuditRead, d.accessLog},
	}
}

// dataProtection is the data-protection officer's overview: where each of their pages
// is, and the legal basis the record of processing states.
func (d *Dashboard) dataProtection(w http.ResponseWriter, r *http.Request) {
	dp, err := d.svc.DataProtection.TenantDataProtection(r.Context(), viewerOf(r).Tenant)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.show(w, r, "dataprotection.html", "dpo.title", page{Data: dp})
}

// employeeReport shows everything stored about one employee and every access to it
// (Art. 15 GDPR) in the dashboard; making it is recorded in the audit trail.
func (d *Dashboard) employeeReport(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	rep, err := d.svc.DataProtection.ReportEmployeeByID(r.Context(), v.Principal.Actor, v.Tenant, r.PathValue("id"))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.showDocument(w, r, dpoDocument{Kind: "report", Name: "art15-" + rep.Employee.Email,
		part: func(w io.Writer, lang string) error { return dpo.ReportPart(w, rep, lang, d.actionName) },
		page: func(w io.Writer, lang string) error { return dpo.ReportHTML(w, rep, lang, d.actionName) }})
}

// processingRecord shows the record of processing (Art. 30 GDPR) with the legal basis.
func (d *Dashboard) processingRecord(w http.ResponseWriter, r *http.Request) {
	t := viewerOf(r).Tenant
	rec, err := d.svc.DataProtection.ProcessingRecord(r.Context(), t)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.showDocument(w, r, dpoDocument{Kind: "processing", Name: "art30-" + t.Name,
		part: func(w io.Writer, lang string) error { return dpo.ProcessingPart(w, rec, lang) },
		page: func(w io.Writer, lang string) error { return dpo.ProcessingHTML(w, rec, lang) }})
}

// document shows one of the drafts (impact assessment, service agreement, BSI
// mapping); making it is recorded in the audit trail.
func (d *Dashboard) document(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	doc := dataprotection.Document(r.PathValue("id"))
	if !slices.Contains(dataprotection.Documents, doc) {
		d.Problem(w, r, http.StatusNotFound, "problem.not_found")
		return
	}
	f, err := d.svc.DataProtection.DocumentDraft(r.Context(), v.Principal.Actor, v.Tenant, doc)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.showDocument(w, r, dpoDocument{Kind: string(doc), Name: string(doc) + "-" + v.Tenant.Name,
		part: func(w io.Writer, lang string) error { return dpo.DocumentPart(w, f, lang) },
		page: func(w io.Writer, lang string) error { return dpo.DocumentHTML(w, f, lang) }})
}

// dpoDocument is a document for the data-protection officer as the dashboard shows it:
// as part of a page with the navigation, or whole as a file to download.
type dpoDocument struct {
	Kind string // which document, for the page's title and tests
	Name string // the download's file name without ".html"
	HTML template.HTML
	// Download is the address of the same document as a file.
	Download   string
	part, page func(w io.Writer, lang string) error
}

// showDocument answers with the document in the reader's language: in the dashboard's
// page, or with download=html as a page of its own to save (Content-Disposition).
func (d *Dashboard) showDocument(w http.ResponseWriter, r *http.Request, doc dpoDocument) {
	lang := ui.Lang(r)
	var out bytes.Buffer
	if r.URL.Query().Get("download") == "html" {
		if err := doc.page(&out, lang); err != nil {
			d.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": fileName(doc.Name, lang) + ".html"}))
		_, _ = w.Write(out.Bytes())
		return
	}
	if err := doc.part(&out, lang); err != nil {
		d.fail(w, r, err)
		return
	}
	// ui/dpo rendered the part with html/template, which escaped every value in it.
	doc.HTML = template.HTML(out.String())
	doc.Download = r.URL.Path + "?download=html"
	d.show(w, r, "dpo_document.html", "dpo.document."+doc.Kind, page{Data: doc})
}

// fileName makes a file name of letters, digits, dots and dashes from a name and the
// language, so that no browser or file system trips over it.
func fileName(name, lang string) string {
	clean := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-':
			return r
		}
		return '-'
	}, name)
	return clean + "-" + lang
}

// accessRow is one entry of the access log: who, in which role, looked at whose data.
type accessRow struct {
	dataprotection.Access
	Who, Role string
	Whom      string // the employee whose data it was, by name and address; empty when unknown
	Kind, ID  string // the subject's kind and ID
}

// accessLog lists who looked at whose data (opened a device or an employee, made an
// employee's report, exported the audit trail), oldest first, a page at a time.
func (d *Dashboard) accessLog(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	accesses, err := d.svc.DataProtection.AccessLog(r.Context(), v.Tenant, atoi(r.URL.Query().Get("after")), mdm.DefaultPageSize)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	admins, err := d.svc.Access.Admins(r.Context(), v.Tenant)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	names := map[string]mdm.Admin{}
	for _, a := range admins {
		names["admin:"+a.ID] = a
	}
	rows := make([]accessRow, len(accesses))
	for i, a := range accesses {
		rows[i] = accessRow{Access: a, Who: a.Actor}
		if admin, ok := names[a.Actor]; ok {
			rows[i].Who, rows[i].Role = admin.Email, string(admin.Role)
		}
		rows[i].Kind, rows[i].ID, _ = strings.Cut(a.Subject, ":")
		if e := a.Whose; e != nil {
			rows[i].Whom = e.Email
			if e.Name != "" {
				rows[i].Whom = e.Name + " (" + e.Email + ")"
			}
		}
	}
	next := int64(0)
	if len(accesses) == mdm.DefaultPageSize {
		next = accesses[len(accesses)-1].Seq
	}
	d.show(w, r, "access_log.html", "dpo.access_log", page{Data: map[string]any{"Rows": rows, "Next": next}})
}

// actionName says what an audit action did with the overview's label for it.
func (d *Dashboard) actionName(lang string, a audit.Action) string {
	return d.catalog.Localizer(lang).T("overview.event." + string(a))
}

// ActionNames names audit actions as the dashboard does, for the documents made without
// it (the JSON API's and the command line's Art. 15 report).
func ActionNames() (dpo.ActionNames, error) {
	c, err := Catalog()
	if err != nil {
		return nil, err
	}
	return (&Dashboard{catalog: c}).actionName, nil
}
