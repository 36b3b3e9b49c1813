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

// csvImport is the page of a bulk invitation that was refused: the lines that stopped it.
// An import that succeeds answers with the letters.
type csvImport struct {
	Problems []*enrolment.RowError
	Refusal  message // a problem of the whole file rather than a line
}

// maxCSVBytes bounds an uploaded file: MaxBulkInvitations lines with room to spare, and
// within the server's limit on a request.
const maxCSVBytes = 900 << 10

// importInvitations invites everyone in an uploaded CSV file (or its lines pasted into
// the form), as `trennwand invite import`
// does: every line is checked first, and the file is imported whole or not at all. The
// answer is the letters of everyone invited, one per sheet.
func (d *Dashboard) importInvitations(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	var file io.Reader = strings.NewReader(r.PostFormValue("csv_text"))
	if f, _, err := r.FormFile("csv"); err == nil {
		defer f.Close()
		file = f
	} else if strings.TrimSpace(r.PostFormValue("csv_text")) == "" {
		d.showImport(w, r, csvImport{Refusal: message{ID: "invitations.csv_none"}}, nil)
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
	d.showLetters(w, r, made, "letters.made_many")
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
			res.Refusal = said(err)
		}
		p.Error = "invitations.csv_refused"
	default:
		d.fail(w, r, fmt.Errorf("import invitations: %w", err))
		return
	}
	if res.Refusal.ID != "" {
		p.Error, p.ErrorArgs = res.Refusal.ID, res.Refusal.Args
	}
	d.show(w, r, "invitations_csv.html", "invitations.csv_title", p)
}

// reason is what a page says about a line.
func reason(e *enrolment.RowError) message { return said(e.Err) }
