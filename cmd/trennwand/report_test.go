package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm/audit"
)

// employeeReport is the part of `report employee --json` these tests read.
type employeeReport struct {
	Employee struct {
		Email string `json:"email"`
	} `json:"employee"`
	Invitations []struct {
		Platform string `json:"platform"`
	} `json:"invitations"`
	Devices  []struct{ ID string } `json:"devices"`
	Accesses []struct {
		Action string `json:"action"`
		Actor  string `json:"actor"`
	} `json:"accesses"`
	Events []struct {
		Action string `json:"action"`
	} `json:"events"`
}

// The data-protection officer answers an employee's request for access: the report shows
// the invitation and every access to the employee's data, its own making included, and
// the next report shows the one before.
func TestReportAboutOneEmployee(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		s.platformsSetUp(t, "default")
		s.run(t, "tenant", "create", "musterstadt").wantCode(t, 0)
		s.platformsSetUp(t, "musterstadt")
		s.run(t, "invite", "create", "--tenant", "musterstadt", "--email", "anna@musterstadt.de", "--platform", "android",
			"--qr", filepath.Join(t.TempDir(), "qr.png")).wantCode(t, 0)

		var first, second employeeReport
		s.run(t, "report", "employee", "--tenant", "musterstadt", "--email", "anna@musterstadt.de", "--json").decode(t, &first)
		s.run(t, "report", "employee", "--tenant", "musterstadt", "--email", "anna@musterstadt.de", "--json").decode(t, &second)
		if first.Employee.Email != "anna@musterstadt.de" || len(first.Invitations) != 1 || first.Invitations[0].Platform != "android" {
			t.Fatalf("report: %+v", first)
		}
		if len(first.Accesses) != 1 || first.Accesses[0].Action != string(audit.EmployeeReport) || !strings.HasPrefix(first.Accesses[0].Actor, "cli:") {
			t.Fatalf("accesses in the first report: %+v; want the report itself", first.Accesses)
		}
		if len(second.Accesses) != 2 {
			t.Fatalf("accesses in the second report: %+v; want both reports", second.Accesses)
		}
		if len(first.Events) == 0 || first.Events[0].Action != "invitation.create" {
			t.Fatalf("events: %+v; want the invitation's creation", first.Events)
		}

		page := filepath.Join(t.TempDir(), "anna.html")
		s.run(t, "report", "employee", "--tenant", "musterstadt", "--email", "anna@musterstadt.de", "--html", page, "--lang", "en").wantCode(t, 0)
		html, err := os.ReadFile(page)
		if err != nil || !strings.Contains(string(html), "anna@musterstadt.de") || !strings.Contains(string(html), "Who looked at this data") {
			t.Fatalf("the HTML report: %v\n%s", err, html)
		}

		r := s.run(t, "report", "employee", "--tenant", "musterstadt", "--email", "bert@musterstadt.de")
		if r.code == 0 || !strings.Contains(r.stderr, "bert@musterstadt.de") {
			t.Fatalf("a report about an unknown employee: code %d, %s", r.code, r.stderr)
		}
	})
}

// The record of processing follows the tenant's settings: the retention periods and the
// inactivity rule set with `dataprotection set` appear in it, with Google and Apple as
// recipients; settings that break the rules are refused and change nothing.
func TestRecordOfProcessingFollowsTheSettings(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		s.platformsSetUp(t, "default")
		s.run(t, "tenant", "create", "musterstadt").wantCode(t, 0)
		s.platformsSetUp(t, "musterstadt")
		s.run(t, "dataprotection", "set", "--tenant", "musterstadt", "--device-retention-days", "45",
			"--inactivity-days", "60", "--inactivity-action", "remove", "--it-email", "it@musterstadt.de").wantCode(t, 0)
		r := s.run(t, "dataprotection", "set", "--tenant", "musterstadt", "--inactivity-days", "45")
		if r.code == 0 || !strings.Contains(r.stderr, "30, 60 or 90") {
			t.Fatalf("inactivity of 45 days: code %d, %s", r.code, r.stderr)
		}
		r = s.run(t, "dataprotection", "set", "--tenant", "musterstadt", "--legal-basis", "art6_1_b", "--employment-law", "land")
		if r.code == 0 || !strings.Contains(r.stderr, "Land's provision") {
			t.Fatalf("the Land's law without its provision: code %d, %s", r.code, r.stderr)
		}
		s.run(t, "dataprotection", "set", "--tenant", "musterstadt", "--legal-basis", "art6_1_b", "--employment-law", "land",
			"--land-law", "§ 18 DSG NRW").wantCode(t, 0)
		if show := s.run(t, "dataprotection", "show", "--tenant", "musterstadt"); !strings.Contains(show.stdout, "legal basis art6_1_b with land (§ 18 DSG NRW)") {
			t.Errorf("dataprotection show: %s", show.stdout)
		}
		md := s.run(t, "report", "processing", "--tenant", "musterstadt", "--lang", "en")
		md.wantCode(t, 0)
		for _, want := range []string{"Art. 6(1)(b) GDPR", "§ 18 DSG NRW", "deleted 45 days after", "without contact for 60 days", "their work area is removed", "Google", "Apple", "# Record of processing"} {
			if !strings.Contains(md.stdout, want) {
				t.Errorf("the record lacks %q:\n%s", want, md.stdout)
			}
		}
		// German by default, with the same settings in its words.
		md = s.run(t, "report", "processing", "--tenant", "musterstadt")
		md.wantCode(t, 0)
		for _, want := range []string{"# Verzeichnis von Verarbeitungstätigkeiten", "45 Tage nach dem Entfernen", "ohne Kontakt seit 60 Tagen", "Arbeitsbereich entfernt", "Google", "Apple"} {
			if !strings.Contains(md.stdout, want) {
				t.Errorf("the German record lacks %q:\n%s", want, md.stdout)
			}
		}
		s.run(t, "report", "processing", "--tenant", "musterstadt", "--lang", "fr").wantCode(t, 2)
	})
}

// The drafts for the data-protection officer, the staff council and the information
// security officer follow the tenant's settings, in German by default and in English on
// request, as text or as a page; each one generated is recorded in the audit trail.
func TestDocumentDraftsFollowTheSettingsAndAreRecorded(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		s.platformsSetUp(t, "default")
		s.run(t, "tenant", "create", "musterstadt").wantCode(t, 0)
		s.platformsSetUp(t, "musterstadt")
		dpia := s.run(t, "report", "dpia", "--tenant", "musterstadt", "--lang", "en")
		dpia.wantCode(t, 0)
		if !strings.Contains(dpia.stdout, "# Data-protection impact assessment") || !strings.Contains(dpia.stdout, "30 days after removal") {
			t.Fatalf("the impact assessment:\n%s", dpia.stdout)
		}
		s.run(t, "dataprotection", "set", "--tenant", "musterstadt", "--device-retention-days", "45",
			"--inactivity-days", "90", "--inactivity-action", "remove").wantCode(t, 0)
		dpia = s.run(t, "report", "dpia", "--tenant", "musterstadt", "--lang", "en")
		for _, want := range []string{"45 days after removal", "flagged after 90 days without contact", "remove the work area"} {
			if !strings.Contains(dpia.stdout, want) {
				t.Errorf("the next impact assessment lacks %q:\n%s", want, dpia.stdout)
			}
		}
		agreement := s.run(t, "report", "agreement", "--tenant", "musterstadt")
		agreement.wantCode(t, 0)
		if !strings.Contains(agreement.stdout, "# Dienstvereinbarung") || !strings.Contains(agreement.stdout, "Ihre Telefonnummer") {
			t.Errorf("the agreement:\n%s", agreement.stdout)
		}
		page := filepath.Join(t.TempDir(), "bsi.html")
		s.run(t, "report", "bsi", "--tenant", "musterstadt", "--html", page, "--lang", "en").wantCode(t, 0)
		html, err := os.ReadFile(page)
		if err != nil || !strings.Contains(string(html), "SYS.3.2.2.A1") || !strings.Contains(string(html), `<html lang="en">`) {
			t.Fatalf("the BSI page: %v\n%s", err, html)
		}
		// --json prints the sections with their rows, as scripts read them.
		var bsi struct {
			Document string `json:"document"`
			Lang     string `json:"lang"`
			Sections []struct {
				Key   string `json:"key"`
				Table *struct {
					Head []string   `json:"head"`
					Rows [][]string `json:"rows"`
				} `json:"table"`
			} `json:"sections"`
		}
		s.run(t, "report", "bsi", "--tenant", "musterstadt", "--json").decode(t, &bsi)
		if bsi.Document != "bsi" || bsi.Lang != "de" || len(bsi.Sections) == 0 || bsi.Sections[0].Key != "mapping" || bsi.Sections[0].Table == nil ||
			len(bsi.Sections[0].Table.Rows) < 15 || !strings.HasPrefix(bsi.Sections[0].Table.Rows[0][0], "SYS.3.2.2.A1 ") ||
			len(bsi.Sections[0].Table.Rows[0]) != len(bsi.Sections[0].Table.Head) {
			t.Errorf("report bsi --json: %+v", bsi)
		}
		var record struct {
			LegalBasis string   `json:"legal_basis"`
			Retention  []string `json:"retention"`
		}
		s.run(t, "report", "processing", "--tenant", "musterstadt", "--json", "--lang", "en").decode(t, &record)
		if !strings.Contains(record.LegalBasis, "Not chosen yet") || len(record.Retention) == 0 {
			t.Errorf("report processing --json: %+v", record)
		}
		out, _ := s.export(t, "--tenant", "musterstadt", "--format", "jsonl")
		if n := strings.Count(string(readFile(t, out, "events.jsonl")), `"action":"`+string(audit.DataProtectionDocument)+`"`); n != 5 {
			t.Errorf("%d %s events in the trail; want one per draft", n, audit.DataProtectionDocument)
		}
		s.run(t, "report", "agreement", "--tenant", "musterstadt", "--lang", "fr").wantCode(t, 2)
	})
}
