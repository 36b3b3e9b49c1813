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

// The rules that act on a device ask its platform's capabilities: the work container is
// locked only where it can be, certificates are revoked for compliance only where the
// device stays managed without them, the patch age and integrity are judged only where
// they are reported.
func TestTheRulesAskForCapabilities(t *testing.T) {
	active := Device{Platform: "newos", State: DeviceActive}
	for _, can := range capabilitySets() {
		t.Run(can.String(), func(t *testing.T) {
			if got := inactivityAction(InactivityLock, active, can); (got == inactivityLocked) != can.Has(CanLockWork) {
				t.Errorf("inactivity on a platform that can %q: %s", can, got)
			}
			_, revoke := consequencesFor(RuleSetting{Consequences: []Consequence{ConsequenceRevoke}}, active, can)
			if revoke != can.Has(RevocableWhileManaged) {
				t.Errorf("compliance revokes the certificates of a platform that can %q: %v", can, revoke)
			}
			if RulePatchAge.appliesTo(active.Platform, can) != can.Has(ReportsPatchLevel) {
				t.Errorf("patch age judged on a platform that can %q", can)
			}
			res := EvaluateCompliance([]RuleSetting{{Rule: RuleIntegrity}}, active, can, ComplianceFacts{Integrity: FindingFailed}, evalNow)
			if failed := len(res) == 1 && res[0].Finding == FindingFailed; failed != can.Has(ReportsIntegrity) {
				t.Errorf("an integrity failure counts on a platform that can %q: %v", can, failed)
			}
		})
	}
}

// A version rule names its platform; it never concerns another, whatever that can do.
func TestAVersionRuleConcernsOnlyItsPlatform(t *testing.T) {
	for rule, p := range versionRulePlatform {
		if !rule.appliesTo(p, 0) {
			t.Errorf("%s does not concern %s", rule, p)
		}
		if rule.appliesTo("newos", ^Capability(0)) {
			t.Errorf("%s concerns another platform", rule)
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
	subDomains, err := filepath.Glob("*/*.go")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, subDomains...)
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
