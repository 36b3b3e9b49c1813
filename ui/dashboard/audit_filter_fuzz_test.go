package dashboard

import (
	"net/url"
	"testing"

	"github.com/trennwand/trennwand/mdm/audit"
)

// The audit page's filters come from the address. Whatever it holds, they are either
// refused with a message of the catalogue or make a filter the trail can run: a time
// range that is not empty, a known actor, a device ID of the server's form and catalogued
// actions. They never panic.
func FuzzAuditFilters(f *testing.F) {
	f.Add("from=2026-01-01&to=2026-01-31&who=admin:abc&what=devices")
	f.Add("from=2026-02-01&to=2026-01-01")
	f.Add("device=aaaaaaaaaaaaaaaaaaaaaaaaaa&what=device.remove")
	f.Add("from=2026-13-01&who=system&what=nonsense")
	f.Add("to=2025-03-01T09:00:00%2B01:00&device=%00")
	actors := []audit.Party{{Kind: audit.Admin, ID: "abc", Name: "a@example.org"}}
	c, err := Catalog()
	if err != nil {
		f.Fatal(err)
	}
	de := c.Localizer("de")
	f.Fuzz(func(t *testing.T, query string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		filters := auditFiltersOf(q)
		out, msg := filters.parse(actors)
		if msg != "" {
			if de.T(msg) == msg {
				t.Fatalf("%q: refused with %q, which the catalogue lacks", query, msg)
			}
			return
		}
		if !out.From.IsZero() && !out.To.IsZero() && !out.From.Before(out.To) {
			t.Fatalf("%q: empty range %v to %v taken", query, out.From, out.To)
		}
		if out.Actor != "" && out.Actor != "system" && out.Actor != "admin:abc" {
			t.Fatalf("%q: unknown actor %q taken", query, out.Actor)
		}
		for _, a := range out.Actions {
			if _, ok := audit.ParseAction(string(a)); !ok {
				t.Fatalf("%q: action %q outside the catalogue", query, a)
			}
		}
		if filters.What != "" && len(out.Actions) == 0 {
			t.Fatalf("%q: what=%q selects nothing yet was taken", query, filters.What)
		}
		// The filters survive the round trip through the address of the next page.
		if again, _ := auditFiltersOf(filters.Values()).parse(actors); again.Actor != out.Actor || again.DeviceID != out.DeviceID || len(again.Actions) != len(out.Actions) {
			t.Fatalf("%q: the filters changed on the way to the next page", query)
		}
	})
}
