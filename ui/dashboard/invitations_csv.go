package dashboard

import (
	"cmp"
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
	Refusal  string // a problem of the whole file rather than a line
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
			res.Refusal = cmp.Or(refusal(err), err.Error())
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

// reason is what a page says about a line: a message ID for a refusal the catalogue
// knows, else the reason without the ErrInvalid prefix.
func reason(e *enrolment.RowError) string {
	if id := refusal(e.Err); id != "" {
		return id
	}
	msg := e.Err.Error()
	for _, prefix := range []string{mdm.ErrInvalid.Error() + ": ", mdm.ErrConflict.Error() + ": "} {
		msg = strings.TrimPrefix(msg, prefix)
	}
	return msg
}
