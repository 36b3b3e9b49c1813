package api_test

import (
	"net/http"
	"regexp"
	"slices"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// markedEntries finds the menu entries marked as the page being read.
var markedEntries = regexp.MustCompile(`<a href="([^"]+)" aria-current="page">`)

// The dashboard's menus say where the reader is: on each page the entry of its section is
// marked as the current page, also on the pages below it (a device's page marks the
// devices), and the settings' and the data-protection officer's own menus mark their
// page the same way, never two entries of one menu at once.
func TestTheMenuMarksTheCurrentPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		admin := w.session(w.tenant, mdm.RoleAdmin)
		officer := w.session(w.tenant, mdm.RoleDPO)
		dev := w.device(w.tenant)
		emp := w.employee(w.tenant)
		for _, c := range []struct {
			who    session
			path   string
			marked []string
		}{
			{admin, "/ui/", []string{"/ui/"}},
			{admin, "/ui/devices?state=active", []string{"/ui/devices"}},
			{admin, "/ui/devices/" + dev.ID, []string{"/ui/devices"}},
			{admin, "/ui/settings", []string{"/ui/settings", "/ui/settings"}},
			{admin, "/ui/settings/admins", []string{"/ui/settings", "/ui/settings/admins"}},
			{officer, "/ui/data-protection", []string{"/ui/data-protection", "/ui/data-protection"}},
			{officer, "/ui/data-protection/employees/" + emp.ID, []string{"/ui/data-protection", "/ui/data-protection/employees"}},
		} {
			code, _, body := w.page(http.MethodGet, c.path, c.who, nil)
			if code != http.StatusOK {
				t.Fatalf("%s: %d", c.path, code)
			}
			var marked []string
			for _, m := range markedEntries.FindAllStringSubmatch(body, -1) {
				marked = append(marked, m[1])
			}
			if !slices.Equal(marked, c.marked) {
				t.Errorf("%s marks %v as the current page, want %v (the main menu first)", c.path, marked, c.marked)
			}
		}
	})
}
