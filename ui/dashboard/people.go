package dashboard

import (
	"net/http"
	"net/url"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

// employeeListing says where a list of employees is: the page of IT (employees) or the
// data-protection officer's (read-only, each with the report on the person).
type employeeListing struct {
	Path string // the list's own address, which the search and the next page keep
	// Reports links each employee to their report (Art. 15 GDPR) in the dashboard.
	Reports bool
}

var (
	itEmployees  = employeeListing{Path: Prefix + "/employees"}
	dpoEmployees = employeeListing{Path: Prefix + "/data-protection/employees", Reports: true}
)

// employeeList lists one page of employees, newest first, as the listing says.
func (d *Dashboard) employeeList(l employeeListing) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := viewerOf(r)
		after, err := mdm.ParseCursor(r.URL.Query().Get("after"))
		if err != nil {
			d.fail(w, r, err)
			return
		}
		q := mdm.EmployeeQuery{Search: r.URL.Query().Get("q"), Page: mdm.Page{After: after, Limit: mdm.DefaultPageSize}}
		es, err := d.svc.EmployeePage(r.Context(), v.Tenant, q)
		if err != nil {
			d.fail(w, r, err)
			return
		}
		next := ""
		if len(es) == q.Limit {
			last := es[len(es)-1]
			next = l.Path + "?" + url.Values{"q": {q.Search}, "after": {mdm.Cursor{At: last.CreatedAt, ID: last.ID}.String()}}.Encode()
		}
		d.show(w, r, "employees.html", "employees.title", page{Data: map[string]any{"Q": q.Search, "Employees": es, "Next": next, "Listing": l}})
	}
}

// invitationRow is an invitation as the list shows it.
type invitationRow struct {
	enrolment.InvitationListing
	Status mdm.InvitationStatus
	// Unsent: pending, and neither mailed nor printed.
	Unsent bool
}

// invitationList is the invitations page: the rows and how many of them reached nobody.
type invitationList struct {
	Rows   []invitationRow
	Unsent int
}

// invitations lists the invitations, newest first, with the form for a new one.
func (d *Dashboard) invitations(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	is, err := d.svc.Enrolment.InvitationPage(r.Context(), v.Tenant, enrolment.InvitationQuery{Page: mdm.Page{Limit: mdm.MaxPageSize}})
	if err != nil {
		d.fail(w, r, err)
		return
	}
	now := time.Now()
	list := invitationList{Rows: make([]invitationRow, len(is))}
	for i, inv := range is {
		list.Rows[i] = invitationRow{InvitationListing: inv, Status: inv.Status(now), Unsent: inv.Unsent(now)}
		if list.Rows[i].Unsent {
			list.Unsent++
		}
	}
	d.show(w, r, "invitations.html", "invitations.title", page{Data: list, Flash: flash(r)})
}

// revokeInvitation revokes a pending invitation.
func (d *Dashboard) revokeInvitation(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	if err := d.svc.Enrolment.RevokeInvitation(r.Context(), v.Principal.Actor, v.Tenant, r.PathValue("id")); err != nil {
		d.fail(w, r, err)
		return
	}
	back(w, r, Prefix+"/invitations", "invitation_revoked")
}
