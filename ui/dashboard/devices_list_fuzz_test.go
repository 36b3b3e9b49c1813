package dashboard

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
)

// Whatever query a browser sends to the device list, it is read without a panic, refused
// only as the caller's mistake, and what is accepted comes back unchanged from the
// address the list writes for it (so that search, filters and sort survive every link).
func FuzzParseDeviceList(f *testing.F) {
	for _, q := range []string{"", "q=m%C3%BCller&sort=name&order=asc", "platform=ios&state=active&compliance=in_grace",
		"sort=contact", "sort=policy&order=desc&after=" + mdm.Cursor{ID: mdm.NewID(), Key: "Bauamt"}.String(), "sort=x", "order=up", "q=%ff",
		"ownership=company", "ownership=personal&platform=android", "ownership=Company", "ownership=%20", "ownership=corporate", "ownership=company&ownership=personal"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		filters, query, err := parseDeviceList(q)
		if err != nil {
			if !errors.Is(err, mdm.ErrInvalid) {
				t.Fatalf("%q refused with %v, not as the caller's mistake", raw, err)
			}
			return
		}
		if query.Sort != filters.Sort || query.Search != filters.Q || string(query.Ownership) != filters.Ownership {
			t.Fatalf("%q: the query %+v does not follow the filters %+v", raw, query, filters)
		}
		again, requery, err := parseDeviceList(filters.Values())
		if err != nil || again.Sort != filters.Sort || again.Q != filters.Q || again.Platform != filters.Platform ||
			again.State != filters.State || again.Compliance != filters.Compliance || requery.Compliance != query.Compliance ||
			again.Ownership != filters.Ownership || requery.Ownership != query.Ownership {
			t.Fatalf("%q: the list's own address %q reads back as %+v, %v; want %+v", raw, filters.Values().Encode(), again, err, filters)
		}
		if link := filters.SortLink(mdm.SortName); !strings.HasPrefix(link, Prefix+"/devices") {
			t.Fatalf("sort link %q", link)
		}
	})
}

// Whatever a bulk form names as its devices, the IDs are read without a panic: at most
// MaxBulk, each a well-formed ID once, or the form is refused as the caller's mistake.
func FuzzParseDeviceIDs(f *testing.F) {
	f.Add(mdm.NewID() + "," + mdm.NewID())
	f.Add("")
	f.Add("x,,y")
	f.Fuzz(func(t *testing.T, raw string) {
		ids, err := mdm.ParseDeviceIDs(strings.Split(raw, ","))
		if err != nil {
			if !errors.Is(err, mdm.ErrInvalid) {
				t.Fatalf("refused with %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] || len(id) != 26 {
				t.Fatalf("accepted %q as %q", raw, ids)
			}
			seen[id] = true
		}
		if len(ids) == 0 || len(ids) > mdm.MaxBulk {
			t.Fatalf("accepted %d IDs", len(ids))
		}
	})
}
