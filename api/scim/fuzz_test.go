package scim_test

import (
	"strings"
	"testing"

	"github.com/trennwand/trennwand/api/scim"
	"github.com/trennwand/trennwand/mdm/directory"
)

// Whatever a client sends as a User, it is parsed without panicking, and what is accepted
// has a userName and an address to check.
func FuzzParseUser(f *testing.F) {
	f.Add(`{"userName":"anna@musterstadt.example","active":"True","emails":[{"value":"a@b.c","primary":true}]}`)
	f.Add(`{"userName":"","name":{"givenName":"A"}}`)
	f.Add(`{"userName":"x","active":7}{}`)
	f.Fuzz(func(t *testing.T, body string) {
		e, err := scim.ParseUser([]byte(body))
		if err != nil {
			return
		}
		if e.UserName == "" || e.Email == "" {
			t.Fatalf("accepted %+v", e)
		}
	})
}

// Whatever a client sends as a PATCH, it is parsed without panicking; what is accepted has
// 1 to 100 operations of a known kind.
func FuzzParsePatch(f *testing.F) {
	f.Add(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`)
	f.Add(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","value":{"displayName":"X","emails":[{"value":"x@y.z"}]}}]}`)
	f.Add(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"a\"]"}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		ops, err := scim.ParsePatch([]byte(body))
		if err != nil {
			return
		}
		if len(ops) == 0 || len(ops) > 100 {
			t.Fatalf("accepted %d operations", len(ops))
		}
		for _, op := range ops {
			if op.Op != "add" && op.Op != "replace" && op.Op != "remove" {
				t.Fatalf("accepted op %q", op.Op)
			}
		}
		if c, err := scim.ParseGroupPatch("Kita", []byte(body)); err == nil && (c.Name == "" || strings.ContainsAny(c.Name, "\r\n")) {
			t.Fatalf("accepted group change %+v", c)
		}
		if _, err := scim.ApplyPatch(directory.Entry{UserName: "a", Email: "a@b.c"}, ops); err != nil {
			return
		}
	})
}

// Whatever filter a client asks for, it is refused or read as userName eq a value.
func FuzzParseFilter(f *testing.F) {
	f.Add(`userName eq "anna@musterstadt.example"`)
	f.Add(`userName Eq "\u0041"`)
	f.Add(`displayName eq "x" and userName eq "y"`)
	f.Fuzz(func(t *testing.T, filter string) {
		v, err := scim.ParseFilter(filter)
		if err != nil {
			return
		}
		if v == "" || len(v) > 256 {
			t.Fatalf("accepted %q as %q", filter, v)
		}
	})
}
