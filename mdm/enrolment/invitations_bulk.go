package enrolment

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// MaxBulkInvitations bounds one bulk invitation: a large town hall's staff, in one
// transaction.
const MaxBulkInvitations = 10000

// InviteRow is one line of a bulk invitation.
type InviteRow struct {
	Line    int // in the file, counting the header as line 1
	Request InviteRequest
}

// RowError says which line of a bulk invitation is wrong and why.
type RowError struct {
	Line int
	Err  error
}

func (e *RowError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the reason, so that errors.Is sees ErrInvalid or ErrConflict.
func (e *RowError) Unwrap() error { return e.Err }

// csvColumns maps the accepted header names to the fields they fill.
var csvColumns = map[string]string{
	"email": "email", "e-mail": "email", "name": "name", "platform": "platform",
	"managed_apple_id": "apple", "apple_id": "apple", "managed apple account": "apple",
	"ownership": "ownership",
}

// MaxRowErrors bounds how many bad lines of a bulk invitation are reported at once.
const MaxRowErrors = 50

// RowErrors returns the lines an error of a bulk invitation names, in file order.
func RowErrors(err error) []*RowError {
	var out []*RowError
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			out = append(out, RowErrors(e)...)
		}
		return out
	}
	var re *RowError
	if errors.As(err, &re) {
		out = append(out, re)
	}
	return out
}

// ParseInvitationCSV reads a bulk invitation: a header line naming the columns email and
// name and, optionally, platform (ios, android or any), managed_apple_id and ownership
// (personal, the default, or company), then one employee per line, separated by commas
// or, as spreadsheets in Germany write them, semicolons. Every line is checked; each bad one (up to MaxRowErrors) is reported with
// its line number as a *RowError (several joined, see RowErrors), and nothing is returned,
// so that a file is imported whole or not at all.
func ParseInvitationCSV(r io.Reader) ([]InviteRow, error) {
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte("\ufeff")) {
		_, _ = br.Discard(3)
	}
	head, err := br.Peek(4096)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read CSV: %w", err)
	}
	cr := csv.NewReader(br)
	firstLine, _, _ := bytes.Cut(head, []byte("\n"))
	if bytes.Count(firstLine, []byte(";")) > bytes.Count(firstLine, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &RowError{Line: 1, Err: mdm.Refuse("refusal.csv.empty", fmt.Errorf("%w: the file is empty; the first line names the columns (email,name,platform,managed_apple_id,ownership)", mdm.ErrInvalid))}
	}
	if err != nil {
		return nil, &RowError{Line: 1, Err: mdm.Refuse("refusal.csv.unreadable", fmt.Errorf("%w: %v", mdm.ErrInvalid, err))}
	}
	cols, err := csvHeader(header)
	if err != nil {
		return nil, &RowError{Line: 1, Err: err}
	}
	var rows []InviteRow
	var problems []error
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			return nil, &RowError{Line: max(line, 2), Err: mdm.Refuse("refusal.csv.unreadable", fmt.Errorf("%w: %v", mdm.ErrInvalid, err))}
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rows) == MaxBulkInvitations {
			return nil, &RowError{Line: line, Err: mdm.Refuse("refusal.csv.too_many", fmt.Errorf("%w: at most %d invitations per file", mdm.ErrInvalid, MaxBulkInvitations), "Max", strconv.Itoa(MaxBulkInvitations))}
		}
		req, err := csvRequest(cols, rec)
		if first, dup := seen[req.Email]; err == nil && dup {
			err = mdm.Refuse("refusal.csv.twice", fmt.Errorf("%w: %s is on line %d already", mdm.ErrInvalid, req.Email, first), "Address", req.Email, "Line", strconv.Itoa(first))
		}
		if err != nil {
			if problems = append(problems, &RowError{Line: line, Err: err}); len(problems) == MaxRowErrors {
				break
			}
			continue
		}
		seen[req.Email] = line
		rows = append(rows, InviteRow{Line: line, Request: req})
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	if len(rows) == 0 {
		return nil, &RowError{Line: 2, Err: mdm.Refuse("refusal.csv.nobody", fmt.Errorf("%w: the file names no employee", mdm.ErrInvalid))}
	}
	return rows, nil
}

// csvHeader returns, for each column, the field it fills ("" for columns it ignores).
func csvHeader(header []string) ([]string, error) {
	cols := make([]string, len(header))
	have := map[string]bool{}
	for i, h := range header {
		field, ok := csvColumns[strings.ToLower(strings.TrimSpace(h))]
		if !ok {
			return nil, mdm.Refuse("refusal.csv.column", fmt.Errorf("%w: unknown column %q: use email, name, platform, managed_apple_id, ownership", mdm.ErrInvalid, h), "Column", h)
		}
		if have[field] {
			return nil, mdm.Refuse("refusal.csv.column_twice", fmt.Errorf("%w: column %q appears twice", mdm.ErrInvalid, h), "Column", h)
		}
		have[field], cols[i] = true, field
	}
	if !have["email"] {
		return nil, mdm.Refuse("refusal.csv.header", fmt.Errorf("%w: the first line must name the columns, with at least email", mdm.ErrInvalid))
	}
	return cols, nil
}

// csvRequest turns one record into a checked request.
func csvRequest(cols []string, rec []string) (InviteRequest, error) {
	if len(rec) != len(cols) {
		return InviteRequest{}, mdm.Refuse("refusal.csv.fields", fmt.Errorf("%w: %d fields, but the header names %d columns", mdm.ErrInvalid, len(rec), len(cols)), "Fields", strconv.Itoa(len(rec)), "Columns", strconv.Itoa(len(cols)))
	}
	var req InviteRequest
	for i, field := range cols {
		v := strings.TrimSpace(rec[i])
		switch field {
		case "email":
			req.Email = v
		case "name":
			req.Name = v
		case "platform":
			req.Platform = mdm.Platform(strings.ToLower(v))
		case "apple":
			req.ManagedAppleID = v
		case "ownership":
			req.Ownership = mdm.Ownership(v)
		}
	}
	return req.normalize()
}

// InviteMany creates the invitations of a bulk import in one transaction: all of them, or,
// when one cannot be made (for example an employee whose managed Apple account differs
// from the one on record), none, with a *RowError naming the line.
func (s *Service) InviteMany(ctx context.Context, actor string, t mdm.Tenant, rows []InviteRow, validity time.Duration) ([]NewInvitation, error) {
	if len(rows) > MaxBulkInvitations {
		return nil, mdm.Refuse("refusal.csv.too_many", fmt.Errorf("%w: at most %d invitations at once", mdm.ErrInvalid, MaxBulkInvitations), "Max", strconv.Itoa(MaxBulkInvitations))
	}
	reqs := make([]InviteRequest, len(rows))
	for i, row := range rows {
		row.Request.Validity = validity
		req, err := row.Request.normalize()
		if err != nil {
			return nil, &RowError{Line: row.Line, Err: err}
		}
		reqs[i] = req
	}
	var out []NewInvitation
	err := s.atomic(ctx, func(tx scope, at time.Time) error {
		out = make([]NewInvitation, 0, len(rows))
		for i, req := range reqs {
			inv, err := s.invite(ctx, tx, at, actor, t, req)
			if err != nil {
				return &RowError{Line: rows[i].Line, Err: err}
			}
			if err := s.queueInvitationMail(ctx, tx, t, inv); err != nil {
				return err
			}
			out = append(out, inv)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
