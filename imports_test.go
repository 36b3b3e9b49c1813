package trennwand_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The import rules of docs/architecture.md (DESIGN's table), checked on every package of
// the module with its tests: a test that imports what its package may not is as much a
// tangle as the package doing it.

const module = "github.com/trennwand/trennwand"

// forbidden says, for each component, which components it never imports. A component is a
// top-level folder with everything beneath it (ios/licences is part of ios); pki imports
// nothing of the project but itself.
var forbidden = map[string][]string{
	"mdm":     {"api", "ui", "ios", "android", "pki", "cmd"},
	"pki":     {"mdm", "api", "ui", "ios", "android", "cmd"},
	"ios":     {"android", "api", "ui", "cmd"},
	"android": {"ios", "api", "ui", "cmd"},
	"ui":      {"api", "ios", "android", "cmd"},
	"api":     {"cmd"},
}

// storeOwners are the packages of the core that may reach the database: the store, which
// implements every sub-domain's small store interface, and the wiring that hands each
// sub-domain its view. Every other package of the core works on the interfaces it
// declares, so none imports the store or gorm (their tests may, to open a database).
var storeOwners = []string{module + "/mdm/store", module + "/mdm/domain"}

// reachesTheDatabase says whether imp is the store or gorm.
func reachesTheDatabase(imp string) bool {
	return imp == module+"/mdm/store" || strings.HasPrefix(imp, module+"/mdm/store/") || strings.HasPrefix(imp, "gorm.io/")
}

// listedPackage is what `go list -json` says about a package that the rules look at.
type listedPackage struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
}

// component names the part of the project a package belongs to ("" for one outside it).
func component(importPath string) string {
	rest, ok := strings.CutPrefix(importPath, module+"/")
	if !ok {
		return ""
	}
	first, _, _ := strings.Cut(rest, "/")
	return first
}

// violations lists every import, of a package or of its tests, that the rules forbid.
func violations(pkgs []listedPackage) []string {
	var out []string
	for _, p := range pkgs {
		from := component(p.ImportPath)
		for kind, imports := range map[string][]string{"": p.Imports, " (tests)": p.TestImports, " (external tests)": p.XTestImports} {
			for _, imp := range imports {
				if to := component(imp); to != "" && to != from && slices.Contains(forbidden[from], to) {
					out = append(out, p.ImportPath+kind+" imports "+imp)
				}
				if kind == "" && from == "mdm" && reachesTheDatabase(imp) && !ownsTheStore(p.ImportPath) {
					out = append(out, p.ImportPath+" imports "+imp)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// ownsTheStore says whether the package is the store, a package beneath it, or the wiring.
func ownsTheStore(importPath string) bool {
	for _, o := range storeOwners {
		if importPath == o || strings.HasPrefix(importPath, o+"/") {
			return true
		}
	}
	return false
}

func TestPackagesKeepTheImportRules(t *testing.T) {
	cmd := exec.Command("go", "list", "-json", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []listedPackage
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("read go list's answer: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	seen := map[string]bool{}
	for _, p := range pkgs {
		seen[component(p.ImportPath)] = true
	}
	for c := range forbidden {
		if !seen[c] {
			t.Errorf("go list shows no package of %s: the rules look at the wrong module", c)
		}
	}
	for _, v := range violations(pkgs) {
		t.Error(v)
	}
}

func TestTheImportRulesCatchEveryKindOfImport(t *testing.T) {
	pkgs := []listedPackage{
		{ImportPath: module + "/mdm/store", Imports: []string{module + "/mdm", "gorm.io/gorm"}},
		{ImportPath: module + "/pki", TestImports: []string{module + "/mdm/store/storetest"}},
		{ImportPath: module + "/ios/licences", Imports: []string{module + "/ios/vpp", module + "/mdm/store"}},
		{ImportPath: module + "/ios", XTestImports: []string{module + "/android/phonesim"}},
		{ImportPath: module + "/ui/portal", Imports: []string{module + "/api"}},
		{ImportPath: module + "/api", Imports: []string{module + "/ios", module + "/ui/portal", module + "/pki"}},
		{ImportPath: module + "/mdm/compliance", Imports: []string{module + "/mdm", "gorm.io/gorm"},
			XTestImports: []string{module + "/mdm/store/storetest"}},
		{ImportPath: module + "/mdm/access", Imports: []string{module + "/mdm/store"}},
		{ImportPath: module + "/mdm/domain", Imports: []string{module + "/mdm/store", module + "/mdm/access"}},
		{ImportPath: module + "/mdm/store/storetest", Imports: []string{module + "/mdm/store", "gorm.io/gorm"}},
	}
	want := []string{
		module + "/ios (external tests) imports " + module + "/android/phonesim",
		module + "/mdm/access imports " + module + "/mdm/store",
		module + "/mdm/compliance imports gorm.io/gorm",
		module + "/pki (tests) imports " + module + "/mdm/store/storetest",
		module + "/ui/portal imports " + module + "/api",
	}
	if got := violations(pkgs); !slices.Equal(got, want) {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
