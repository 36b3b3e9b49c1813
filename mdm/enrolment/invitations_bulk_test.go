package enrolment_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

func TestReadingABulkInvitation(t *testing.T) {
	csv := "\ufeffEmail;Name;Platform;Managed_Apple_ID;Ownership\r\n" +
		"Anna.Berg@musterstadt.de;Anna Berg;ios;anna@appleid.musterstadt.de;\r\n" +
		"\r\n" +
		"jo@musterstadt.de;\"Jo, der Hausmeister\";;;Company\r\n"
	rows, err := enrolment.ParseInvitationCSV(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	want := []enrolment.InviteRow{
		{Line: 2, Request: enrolment.InviteRequest{Email: "anna.berg@musterstadt.de", Name: "Anna Berg", Platform: mdm.PlatformIOS,
			ManagedAppleID: "anna@appleid.musterstadt.de", Validity: enrolment.DefaultInvitationValidity, Ownership: mdm.OwnershipPersonal}},
		{Line: 4, Request: enrolment.InviteRequest{Email: "jo@musterstadt.de", Name: "Jo, der Hausmeister", Platform: mdm.PlatformAny,
			Validity: enrolment.DefaultInvitationValidity, Ownership: mdm.OwnershipCompany}},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows %+v", rows)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d: got %+v, want %+v", i, rows[i], want[i])
		}
	}
}

func TestABadLineIsNamedAndNothingIsRead(t *testing.T) {
	cases := []struct {
		name, csv string
		line      int
		says      string
	}{
		{"empty file", "", 1, "empty"},
		{"no header", "anna@musterstadt.de,Anna\n", 1, "unknown column"},
		{"no email column", "name,platform\nAnna,ios\n", 1, "email"},
		{"unknown column", "email,phone\na@b.de,123\n", 1, "unknown column"},
		{"bad address", "email,name\nanna@musterstadt.de,Anna\nnot-an-address,Jo\n", 3, "not an e-mail address"},
		{"bad platform", "email,platform\nanna@musterstadt.de,windows\n", 2, "platform"},
		{"bad ownership", "email,ownership\nanna@musterstadt.de,borrowed\n", 2, "ownership"},
		{"bad Apple account", "email,managed_apple_id\nanna@musterstadt.de,anna\n", 2, "managed Apple account"},
		{"twice the same person", "email\nanna@musterstadt.de\nAnna@Musterstadt.de\n", 3, "line 2 already"},
		{"too few fields", "email,name\nanna@musterstadt.de\n", 2, "fields"},
		{"broken quoting", "email,name\nanna@musterstadt.de,\"Anna\n", 2, ""},
		{"only a header", "email,name\n", 2, "no employee"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, err := enrolment.ParseInvitationCSV(strings.NewReader(c.csv))
			var re *enrolment.RowError
			if !errors.As(err, &re) || rows != nil {
				t.Fatalf("got %v, %v; want a RowError and no rows", rows, err)
			}
			if re.Line != c.line || !strings.Contains(err.Error(), c.says) || !errors.Is(err, mdm.ErrInvalid) {
				t.Errorf("got %q (line %d), want line %d saying %q", err, re.Line, c.line, c.says)
			}
		})
	}
}

func TestABulkInvitationHasALimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("email\n")
	for i := range enrolment.MaxBulkInvitations + 1 {
		b.WriteString("p" + strings.Repeat("x", i%7) + "-" + itoa(i) + "@musterstadt.de\n")
	}
	_, err := enrolment.ParseInvitationCSV(strings.NewReader(b.String()))
	var re *enrolment.RowError
	if !errors.As(err, &re) || re.Line != enrolment.MaxBulkInvitations+2 {
		t.Fatalf("got %v", err)
	}
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

func FuzzParseInvitationCSV(f *testing.F) {
	f.Add("email,name,platform,managed_apple_id\nanna@musterstadt.de,Anna,ios,anna@apple.musterstadt.de\n")
	f.Add("\ufeffemail;name\nanna@musterstadt.de;\"Berg; Anna\"\n")
	f.Add("email\n\"unterminated\n")
	f.Add("name,email,name\n")
	f.Add("email,ownership\nanna@musterstadt.de,company\njo@musterstadt.de,\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := enrolment.ParseInvitationCSV(strings.NewReader(in))
		if err != nil {
			var re *enrolment.RowError
			if !errors.As(err, &re) || re.Line < 1 || rows != nil {
				t.Fatalf("error %v without a line, or with rows", err)
			}
			return
		}
		for _, r := range rows {
			if _, err := mdm.NormalizeEmail(r.Request.Email); err != nil || r.Line < 2 || !slices.Contains(mdm.Ownerships, r.Request.Ownership) {
				t.Fatalf("row %+v passed unchecked", r)
			}
		}
	})
}
