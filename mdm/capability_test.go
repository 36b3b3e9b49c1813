package mdm

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// capabilitySets are every single capability, none (a platform that registered nothing,
// or none at all) and all of them.
func capabilitySets() []Capability {
	all := Capability(0)
	for _, c := range AllCapabilities() {
		all |= c
	}
	return append(AllCapabilities(), 0, all)
}

// A command reaches a platform only where the platform has the capability it needs; the
// commands every platform carries out need none.
func TestACommandIsCarriedOnlyWhereThePlatformCan(t *testing.T) {
	for _, can := range capabilitySets() {
		for _, k := range commandKinds {
			need, needed := commandNeeds[k]
			if got, want := can.Carries(k), !needed || can.Has(need); got != want {
				t.Errorf("a platform that can %q carries %s: %v, want %v", can, k, got, want)
			}
		}
		if can == 0 && (can.Carries(CommandLockWork) || can.Carries(CommandResetWorkPasscode) || can.Carries(CommandQueryWorkApps)) {
			t.Error("a platform without capabilities is sent a command that needs one")
		}
	}
}

// platformNameData are the files of the core where a platform's name may stand as data
// in a comparison: the names themselves and the parsing of names from outside.
var platformNameData = []string{"platform.go"}

// The core never decides a rule by a platform's name: PlatformIOS and PlatformAndroid
// appear in no comparison, switch or condition of the core's code, only as data (a key of a
// table of texts or formats, a value stored). A rule that depends on the platform asks
// for a capability instead (see Capability).
func TestTheCoreNeverBranchesOnAPlatformName(t *testing.T) {
	// The root package and the sub-domain packages beside it (mdm/enrolment, …).
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	// The sub-domains are the core too.
	subdomains, err := filepath.Glob("*/*.go")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, subdomains...)
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || slices.Contains(platformNameData, name) {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, cond := range conditions(f) {
			ast.Inspect(cond, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok && (id.Name == "PlatformIOS" || id.Name == "PlatformAndroid") {
					t.Errorf("%s: a rule decided by the platform's name %s; ask for a capability", fset.Position(id.Pos()), id.Name)
				}
				return true
			})
		}
	}
}

// conditions returns the expressions of f that decide which way the code goes:
// comparisons, the conditions of if statements, and switches with their cases.
func conditions(f *ast.File) []ast.Node {
	var out []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BinaryExpr:
			if n.Op == token.EQL || n.Op == token.NEQ {
				out = append(out, n)
			}
		case *ast.IfStmt:
			out = append(out, n.Cond)
		case *ast.SwitchStmt:
			if n.Tag != nil {
				out = append(out, n.Tag)
			}
		case *ast.CaseClause:
			for _, e := range n.List {
				out = append(out, e)
			}
		}
		return true
	})
	return out
}
