package audit

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckAcceptsTheCatalogueAndNothingElse(t *testing.T) {
	cases := []struct {
		name string
		r    Record
		ok   bool
	}{
		{"catalogued action and kind", Record{Actor: "system", Action: DeviceRemove, Subject: Device.Of("d1")}, true},
		{"no subject", Record{Actor: "client:192.0.2.1", Action: AdminSignInFailed}, true},
		{"work policy by its one name", Record{Actor: "cli:root", Action: WorkPolicyUpdate, Subject: WorkPolicy.Of("p1")}, true},
		{"hand-typed action", Record{Actor: "system", Action: "device.removed_it"}, false},
		{"empty action", Record{Actor: "system"}, false},
		{"the other name of a work policy", Record{Actor: "system", Action: WorkPolicyUpdate, Subject: "policy:p1"}, false},
		{"subject without kind", Record{Actor: "system", Action: DeviceView, Subject: "d1"}, false},
		{"subject without ID", Record{Actor: "system", Action: DeviceView, Subject: "device:"}, false},
		{"no actor", Record{Action: DeviceView, Subject: Device.Of("d1")}, false},
	}
	for _, c := range cases {
		if err := Check(c.r); (err == nil) != c.ok {
			t.Errorf("%s: Check(%+v) = %v", c.name, c.r, err)
		}
	}
}

// No code of the project writes an audit record with an action or a subject kind typed
// by hand: they come from the catalogue's constants. (The store refuses anything outside
// the catalogue at run time too; this finds what no test runs.)
func TestNoAuditRecordIsTypedByHand(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		// This package's own tests type wrong records by hand on purpose.
		if filepath.Dir(path) == filepath.Join(root, "mdm", "audit") && strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok || !isRecordType(lit.Type) {
				return true
			}
			for _, el := range lit.Elts {
				kv, ok := el.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				key, _ := kv.Key.(*ast.Ident)
				if key == nil {
					continue
				}
				switch {
				case key.Name == "Action" && isStringLit(kv.Value):
					t.Errorf("%s: an audit action typed by hand; use the catalogue's constant", fset.Position(kv.Pos()))
				case key.Name == "Subject" && startsWithStringLit(kv.Value):
					t.Errorf("%s: an audit subject typed by hand; use Kind.Of", fset.Position(kv.Pos()))
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func isRecordType(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name == "Record" || x.Name == "Event"
	case *ast.SelectorExpr:
		pkg, ok := x.X.(*ast.Ident)
		return ok && pkg.Name == "audit" && (x.Sel.Name == "Record" || x.Sel.Name == "Event")
	}
	return false
}

func isStringLit(e ast.Expr) bool {
	lit, ok := e.(*ast.BasicLit)
	return ok && lit.Kind == token.STRING
}

func startsWithStringLit(e ast.Expr) bool {
	if isStringLit(e) {
		return true
	}
	bin, ok := e.(*ast.BinaryExpr)
	return ok && startsWithStringLit(bin.X)
}

// Details with characters that HTML-escaping encoders change are stored escaped, so
// every encoder writes an event with the same bytes.
func TestAnEventHasTheSameBytesUnderEveryEncoder(t *testing.T) {
	e := Event{TenantID: "t1", Seq: 7, Actor: "admin:a1", Action: EmployeeView, Subject: Employee.Of("e1"),
		Details: Normalize(Fields(map[string]any{"name": "Müller & Söhne <IT>"})), PrevHash: GenesisHash}
	e.Hash = e.ComputeHash()
	plain, err := e.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	escaping, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if string(plain) != string(escaping) {
		t.Errorf("the event's bytes depend on the encoder:\n%s\n%s", plain, escaping)
	}
	var back Event
	if err := json.Unmarshal(plain, &back); err != nil || string(back.ComputeHash()) != string(e.Hash) {
		t.Errorf("read back, the event no longer matches its hash: %v", err)
	}
}
