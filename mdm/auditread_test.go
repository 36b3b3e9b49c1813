package mdm_test

import (
	"errors"
	"testing"

	"github.com/trennwand/trennwand/mdm"
)

// A cursor of the audit trail comes back from a client unchanged, or is refused as
// invalid input; it never selects a page the server did not hand out.
func FuzzAuditCursor(f *testing.F) {
	f.Add(mdm.AuditCursor{Seq: 51}.String())
	f.Add("")
	f.Add("c2VxLi0x") // seq.-1
	f.Add("c2VxLjAx") // seq.01
	f.Add("not a cursor")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := mdm.ParseAuditCursor(s)
		if err != nil {
			if !errors.Is(err, mdm.ErrInvalid) {
				t.Fatalf("%q: %v is not invalid input", s, err)
			}
			return
		}
		if s == "" {
			if c.Seq != 0 {
				t.Fatalf("the empty cursor starts at %d", c.Seq)
			}
			return
		}
		if c.Seq < 1 || c.String() != s {
			t.Fatalf("%q read as %d, which writes as %q", s, c.Seq, c.String())
		}
	})
}
