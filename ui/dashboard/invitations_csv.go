package dashboard

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

// csvImport is the result page of a bulk invitation: the invitations made, each with its
// link shown once, or the lines that stopped the import.
type csvImport struct {
	Made     []csvInvitation
	Problems []*enrolment.RowError
	Refusal  string // a problem of the whole file rather than a line
}

// csvInvitation is one invitation made from the file.
type csvInvitation struct {
	enrolment.NewInvitation
	URL string
}

// maxCSVBytes bounds an uploaded file: MaxBulkInvitations lines with room to spare, and
// within the server's limit on a request.
const maxCSVBytes = 900 << 10

// importInvitations invites everyone in an uploaded CSV file (or its lines pasted into
// the form), as `trennwand invite import`
// does: every line is checked first, and the file is imported whole or not at all.
func (d *Dashboard) importInvitations(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	var file io.Reader = strings.NewReader(r.PostFormValue("csv_text"))
	if f, _, err := r.FormFile("csv"); err == nil {
		defer f.Close()
		file = f
	} else if strings.TrimSpace(r.PostFormValue("csv_text")) == "" {
		d.showImport(w, r, csvImport{Refusal: "invitations.csv_none"}, nil)
		return
	}
	rows, err := enrolment.ParseInvitationCSV(io.LimitReader(file, maxCSVBytes))
	var made []enrolment.NewInvitation
	if err == nil {
		made, err = d.svc.Enrolment.InviteMany(r.Context(), v.Principal.Actor, v.Tenant, rows, 0)
	}
	if err != nil {
		d.showImport(w, r, csvImport{}, err)
		return
	}
	res := csvImport{Made: make([]csvInvitation, len(made))}
	for i, inv := range made {
		res.Made[i] = csvInvitation{NewInvitation: inv}
		if d.cfg.PublicURL != nil {
			res.Made[i].URL = d.cfg.PublicURL.JoinPath("/e", inv.Code).String()
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	d.showImport(w, r, res, nil)
}

// showImport renders the result of an import; the caller's mistakes are listed line by
// line with status 400, anything else fails the request.
func (d *Dashboard) showImport(w http.ResponseWriter, r *http.Request, res csvImport, err error) {
	p := page{Data: &res}
	switch {
	case err == nil:
	case errors.Is(err, mdm.ErrInvalid) || errors.Is(err, mdm.ErrConflict):
		res.Problems = enrolment.RowErrors(err)
		if len(res.Problems) == 0 {
			res.Refusal = err.Error()
		}
		p.Error = "invitations.csv_refused"
	default:
		d.fail(w, r, fmt.Errorf("import invitations: %w", err))
		return
	}
	if res.Refusal != "" {
		p.Error = res.Refusal
	}
	d.show(w, r, "invitations_csv.html", "invitations.csv_title", p)
}

// reason is what a page says about a line: the reason without the ErrInvalid prefix.
func reason(e *enrolment.RowError) string {
	msg := e.Err.Error()
	for _, prefix := range []string{mdm.ErrInvalid.Error() + ": ", mdm.ErrConflict.Error() + ": "} {
		msg = strings.TrimPrefix(msg, prefix)
	}
	return msg
}
