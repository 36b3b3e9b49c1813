package dpo

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/ui"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// demoFacts are the facts of a demo town's document.
func demoFacts(t *testing.T, d dataprotection.Document, dp dataprotection.DataProtection) dataprotection.DocumentFacts {
	t.Helper()
	f, err := dataprotection.NewDocumentFacts(d, "admin:demo", dataprotection.RecordOfProcessing{
		GeneratedAt: time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC), Controller: "Stadt Musterstadt",
		Operator: "KommunalIT Nord", PrivacyContact: "datenschutz@musterstadt.de", Settings: dp})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func demoSettings() dataprotection.DataProtection {
	dp := dataprotection.DefaultDataProtection("t1")
	dp.InactivityDays = 60
	dp.LegalBasis, dp.EmploymentLaw, dp.LandLaw = dataprotection.LegalBasisContract, dataprotection.EmploymentLand, "§ 18 DSG NRW"
	return dp
}

// render returns the document as a page and as text.
func render(t *testing.T, f dataprotection.DocumentFacts, lang string) (page, text string) {
	t.Helper()
	var h, m bytes.Buffer
	if err := DocumentHTML(&h, f, lang); err != nil {
		t.Fatal(err)
	}
	if err := DocumentText(&m, f, lang); err != nil {
		t.Fatal(err)
	}
	return h.String(), m.String()
}

// The three documents of a demo town, in both languages, page and text, read as the
// golden files say (go test ./ui/dpo -update rewrites them).
func TestDocumentsMatchTheGoldenFiles(t *testing.T) {
	for _, d := range dataprotection.Documents {
		for _, lang := range ui.Languages {
			page, text := render(t, demoFacts(t, d, demoSettings()), lang)
			for ext, got := range map[string]string{"html": page, "md": text} {
				file := filepath.Join("testdata", string(d)+"."+lang+"."+ext)
				if *update {
					if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				if got != string(want) {
					t.Errorf("%s differs from what the documents now say; run go test ./ui/dpo -update and review the diff", file)
				}
			}
		}
	}
}

// No text ID shows instead of a text, and both languages have the same parts.
func TestDocumentsSayTheSameInBothLanguages(t *testing.T) {
	textID := regexp.MustCompile(`\b(doc|dpia|agreement|bsi|rop|role|perm)\.[a-z]`)
	for _, d := range dataprotection.Documents {
		var shapes [][]int
		for _, lang := range ui.Languages {
			doc, err := build(demoFacts(t, d, demoSettings()), lang)
			if err != nil {
				t.Fatal(err)
			}
			var shape []int
			for _, s := range doc.Sections {
				n := len(s.Paras) + len(s.Items)
				if s.Table != nil {
					n += len(s.Table.Rows)
				}
				shape = append(shape, n)
			}
			shapes = append(shapes, shape)
			_, text := render(t, demoFacts(t, d, demoSettings()), lang)
			if id := textID.FindString(text); id != "" {
				t.Errorf("%s %s shows a text ID (%s…)", d, lang, id)
			}
		}
		if !slices.EqualFunc(shapes[0], shapes[1], func(a, b int) bool { return a == b }) {
			t.Errorf("%s: German has %v entries per section, English %v", d, shapes[0], shapes[1])
		}
	}
}

// The service agreement promises what the portal's notice tells the employee: every
// statement of every platform's notice stands in the agreement's section of its part, and
// the section holds nothing else.
func TestTheAgreementRepeatsTheNoticeExactly(t *testing.T) {
	for _, lang := range ui.Languages {
		f := demoFacts(t, dataprotection.DocumentAgreement, demoSettings())
		doc, err := build(f, lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, part := range noticeParts {
			i := slices.IndexFunc(doc.Sections, func(s section) bool { return s.Key == part.Key })
			if i < 0 {
				t.Fatalf("%s: the agreement has no section %s", lang, part.Key)
			}
			items := doc.Sections[i].Items
			var fromNotice []string
			for _, p := range []mdm.Platform{mdm.PlatformIOS, mdm.PlatformAndroid} {
				for _, o := range mdm.Ownerships {
					n, err := mdm.PrivacyNotice(p, o)
					if err != nil {
						t.Fatal(err)
					}
					for _, it := range part.Part(n) {
						text := it.Text.In(lang)
						fromNotice = append(fromNotice, text)
						if !slices.ContainsFunc(items, func(s string) bool { return strings.Contains(s, text) }) {
							t.Errorf("%s: the notice's %s (%s, %s) %q is missing from the agreement", lang, it.ID, p, o, text)
						}
					}
				}
			}
			if part.Key == "can_do" {
				for _, k := range []mdm.CommandKind{mdm.CommandLockWork, mdm.CommandRemoveWorkData, mdm.CommandResetWorkPasscode, mdm.CommandWipeDevice} {
					if name := textsIn(lang).Term("command", k); !strings.Contains(strings.Join(doc.Sections[i].Paras, " "), name) {
						t.Errorf("%s: the agreement does not name the command %s (%s)", lang, k, name)
					}
				}
			}
			for _, s := range items {
				if !slices.ContainsFunc(fromNotice, func(text string) bool { return strings.Contains(s, text) }) {
					t.Errorf("%s: the agreement's %s says %q, which no notice says", lang, part.Key, s)
				}
			}
		}
	}
}

// A change of a setting shows up in the next draft: the retention days, the inactivity
// rule and the audit retention are read from the tenant's settings, not written in.
func TestSettingsFlowIntoTheDrafts(t *testing.T) {
	before := demoSettings()
	after := before
	after.DeviceRetentionDays = 45
	after.InactivityDays = 90
	after.InactivityAction = dataprotection.InactivityRemove
	after.AuditRetentionYears = 7
	for _, d := range dataprotection.Documents {
		_, old := render(t, demoFacts(t, d, before), "en")
		_, now := render(t, demoFacts(t, d, after), "en")
		if old == now {
			t.Errorf("%s: changing the settings left the draft as it was", d)
		}
	}
	_, dpiaText := render(t, demoFacts(t, dataprotection.DocumentDPIA, after), "en")
	for _, want := range []string{"45 days after removal", "flagged after 90 days without contact", "remove the work area", "7 years"} {
		if !strings.Contains(dpiaText, want) {
			t.Errorf("the impact assessment does not say %q:\n%s", want, dpiaText)
		}
	}
	_, off := render(t, demoFacts(t, dataprotection.DocumentDPIA, dataprotection.DefaultDataProtection("t1")), "en")
	if !strings.Contains(off, "The inactivity rule is off") || strings.Contains(dpiaText, "The inactivity rule is off") {
		t.Errorf("the risk of keeping silent phones is named only when the inactivity rule is off")
	}
	if !strings.Contains(dpiaText, "Art. 6(1)(b) GDPR") || !strings.Contains(dpiaText, "§ 18 DSG NRW") {
		t.Errorf("the impact assessment does not state the legal basis:\n%s", dpiaText)
	}
	_, unset := render(t, demoFacts(t, dataprotection.DocumentDPIA, dataprotection.DefaultDataProtection("t1")), "en")
	if !strings.Contains(unset, "Not chosen yet") {
		t.Errorf("without a legal basis the impact assessment does not say it is still to be chosen")
	}
	_, agreementText := render(t, demoFacts(t, dataprotection.DocumentAgreement, after), "de")
	if !strings.Contains(agreementText, "45 days") && !strings.Contains(agreementText, "45 Tage") {
		t.Errorf("the agreement does not name the retention of 45 days:\n%s", agreementText)
	}
}

// Every test the BSI mapping names as proof exists in the module, and every row that
// trennwand meets names one.
func TestTheBSIMappingNamesTestsThatExist(t *testing.T) {
	tests := map[string]bool{}
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && (strings.HasPrefix(e.Name(), ".") || e.Name() == "testdata" || e.Name() == "node_modules") && path != root {
			return filepath.SkipDir
		}
		if e.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, decl := range file.Decls {
			if fn, ok := decl.(*ast.FuncDecl); ok && fn.Recv == nil && strings.HasPrefix(fn.Name.Name, "Test") {
				tests[fn.Name.Name] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range bsiRequirements {
		if r.Status == bsiMet && len(r.Tests) == 0 {
			t.Errorf("%s (%s) is met by trennwand but names no test that proves it", r.ID, r.Key)
		}
		for _, name := range r.Tests {
			if !tests[name] {
				t.Errorf("%s (%s) names the test %s, which does not exist", r.ID, r.Key, name)
			}
		}
	}
}

// The mapping has a row for every requirement of module SYS.3.2.2 that the published
// text has not withdrawn, and each row says where its identifier and title come from.
func TestTheBSIMappingCoversTheWholeModule(t *testing.T) {
	rows := map[string]bool{}
	for _, r := range bsiRequirements {
		rows[r.ID] = true
		if r.Source == "" {
			t.Errorf("%s (%s) says nothing of its source", r.ID, r.Key)
		}
	}
	for n := 1; n <= bsiLastOfModule; n++ {
		id := fmt.Sprintf("SYS.3.2.2.A%d", n)
		if withdrawn := slices.Contains(bsiWithdrawn, n); withdrawn == rows[id] {
			t.Errorf("%s: withdrawn %v, in the mapping %v", id, withdrawn, rows[id])
		}
	}
	for _, lang := range ui.Languages {
		_, text := render(t, demoFacts(t, dataprotection.DocumentBSI, demoSettings()), lang)
		for _, r := range bsiRequirements {
			if !strings.Contains(text, r.ID+" "+textsIn(lang).T("bsi."+r.Key+".title")) {
				t.Errorf("the %s mapping does not cite %s with its title", lang, r.ID)
			}
		}
	}
}

// The record of processing states the legal basis the tenant chose, or that it is
// still to be chosen.
func TestTheRecordOfProcessingStatesTheLegalBasis(t *testing.T) {
	cases := []struct {
		name string
		set  func(*dataprotection.DataProtection)
		want []string
	}{
		{"none yet", func(*dataprotection.DataProtection) {}, []string{"Noch nicht festgelegt"}},
		{"contract with § 26 BDSG", func(d *dataprotection.DataProtection) {
			d.LegalBasis, d.EmploymentLaw = dataprotection.LegalBasisContract, dataprotection.EmploymentBDSG
		}, []string{"Art. 6 Abs. 1 UAbs. 1 Buchst. b DSGVO", "§ 26 BDSG"}},
		{"obligation with the Land's law", func(d *dataprotection.DataProtection) {
			d.LegalBasis, d.EmploymentLaw, d.LandLaw = dataprotection.LegalBasisObligation, dataprotection.EmploymentLand, "§ 83 LBG NRW"
		}, []string{"Buchst. c DSGVO", "§ 83 LBG NRW"}},
	}
	for _, tc := range cases {
		dp := dataprotection.DefaultDataProtection("t1")
		tc.set(&dp)
		r := dataprotection.RecordOfProcessing{Controller: "Stadt Musterstadt", Settings: dp}
		var page, text bytes.Buffer
		if err := ProcessingHTML(&page, r, "de"); err != nil {
			t.Fatal(err)
		}
		if err := ProcessingMarkdown(&text, r, "de"); err != nil {
			t.Fatal(err)
		}
		for _, want := range tc.want {
			if !strings.Contains(page.String(), want) || !strings.Contains(text.String(), want) {
				t.Errorf("%s: the record does not say %q", tc.name, want)
			}
		}
	}
}

// The JSON of a draft carries what its text says: every section heading and every table
// cell of the text is in it, section by section.
func TestTheDraftsAsJSONCarryWhatTheTextSays(t *testing.T) {
	for _, d := range dataprotection.Documents {
		for _, lang := range ui.Languages {
			f := demoFacts(t, d, demoSettings())
			j, err := Document(f, lang)
			if err != nil {
				t.Fatal(err)
			}
			_, text := render(t, f, lang)
			if j.Document != string(d) || j.Lang != lang || !strings.Contains(text, "# "+j.Heading) || len(j.Sections) == 0 {
				t.Fatalf("%s %s: %+v", d, lang, j)
			}
			for _, s := range j.Sections {
				if !strings.Contains(text, fmt.Sprintf("## %d. %s", s.Number, s.Heading)) {
					t.Errorf("%s %s: section %d %q is not in the text", d, lang, s.Number, s.Heading)
				}
				if s.Table == nil {
					continue
				}
				for _, row := range s.Table.Rows {
					if len(row) != len(s.Table.Head) || !strings.Contains(text, cell(row[0])) {
						t.Errorf("%s %s: the row %q does not match the text's table", d, lang, row)
					}
				}
			}
		}
	}
}

// The documents tell the two ownerships apart: the impact assessment names what is kept of
// a company-owned phone only and the risk to the private data on it, and the service
// agreement says whose notice alone makes a statement.
func TestTheDocumentsTellTheOwnershipsApart(t *testing.T) {
	for _, lang := range []string{"de", "en"} {
		tx := textsIn(lang)
		_, agreement := render(t, demoFacts(t, dataprotection.DocumentAgreement, demoSettings()), lang)
		_, dpia := render(t, demoFacts(t, dataprotection.DocumentDPIA, demoSettings()), lang)
		for _, o := range mdm.Ownerships {
			if name := tx.Term("ownership", o); !strings.Contains(agreement, name) {
				t.Errorf("%s: the agreement never names the %s", lang, name)
			}
		}
		for _, id := range []string{"rop.category.9", "dpia.risk.what.8"} {
			if !strings.Contains(dpia, tx.T(id)) {
				t.Errorf("%s: the impact assessment lacks %s", lang, id)
			}
		}
	}
}
