package dpo

import (
	"bytes"
	"flag"
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
				n, err := mdm.PrivacyNotice(p)
				if err != nil {
					t.Fatal(err)
				}
				for _, it := range part.Part(n) {
					text := it.Text.In(lang)
					fromNotice = append(fromNotice, text)
					if !slices.ContainsFunc(items, func(s string) bool { return strings.Contains(s, text) }) {
						t.Errorf("%s: the notice's %s (%s) %q is missing from the agreement", lang, it.ID, p, text)
					}
				}
			}
			if part.Key == "can_do" {
				for _, k := range []mdm.CommandKind{mdm.CommandLockWork, mdm.CommandRemoveWorkData, mdm.CommandResetWorkPasscode} {
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
