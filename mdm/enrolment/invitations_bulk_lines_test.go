package enrolment_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

// A file with several bad lines names every one of them, so that IT corrects the file
// once instead of once per line; nothing of it is imported.
func TestABulkInvitationNamesEveryBadLine(t *testing.T) {
	csv := "email,platform\nanna@musterstadt.de,ios\nnot-an-address,any\nbert@musterstadt.de,windows\nANNA@musterstadt.de,android\n"
	rows, err := enrolment.ParseInvitationCSV(strings.NewReader(csv))
	if rows != nil || !errors.Is(err, mdm.ErrInvalid) {
		t.Fatalf("got %d rows, %v; want none and the problems", len(rows), err)
	}
	var lines []int
	for _, re := range enrolment.RowErrors(err) {
		lines = append(lines, re.Line)
	}
	if len(lines) != 3 || lines[0] != 3 || lines[1] != 4 || lines[2] != 5 {
		t.Errorf("bad lines reported: %v, want 3, 4 and 5", lines)
	}
	if !strings.Contains(err.Error(), "line 5: ") || !strings.Contains(err.Error(), "line 2 already") {
		t.Errorf("the message does not say which line repeats which: %q", err)
	}
}

// So many bad lines stop the reading after MaxRowErrors of them.
func TestABulkInvitationReportsAtMostSoManyBadLines(t *testing.T) {
	csv := "email\n" + strings.Repeat("nobody\n", enrolment.MaxRowErrors+10)
	_, err := enrolment.ParseInvitationCSV(strings.NewReader(csv))
	if n := len(enrolment.RowErrors(err)); n != enrolment.MaxRowErrors {
		t.Errorf("%d bad lines reported, want %d", n, enrolment.MaxRowErrors)
	}
}
