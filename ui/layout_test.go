package ui_test

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/trennwand/trennwand/ui"
)

// Pages share one set of templates with the layout and the partials, and yet each page
// shows its own content, calling the partials as its own.
func TestEachPageRendersItsOwnMainInTheLayout(t *testing.T) {
	files := fstest.MapFS{
		"partials.html": {Data: []byte(`{{define "greeting"}}<p class="greeting">{{.}}</p>{{end}}`)},
		"devices.html":  {Data: []byte("{{define \"main\"}}<h1>Geräte</h1>{{template \"greeting\" \"Guten Tag\"}}{{end}}\n")},
		"people.html":   {Data: []byte(`{{define "main"}}<h1>Personen</h1>{{template "row" .Title}}{{end}}{{define "row"}}<td>{{.}}</td>{{end}}`)},
	}
	pages, err := ui.Templates(files, nil, []string{"partials.html"}, "devices.html", "people.html")
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := ui.NewCatalog(ui.Messages())
	if err != nil {
		t.Fatal(err)
	}
	render := func(name, title string) string {
		t.Helper()
		w := httptest.NewRecorder()
		u, _ := url.Parse("https://mdm.musterstadt.example/ui/" + name)
		if err := ui.Render(w, 200, pages[name], ui.Page{Localizer: catalog.Localizer("de"), Title: title, URL: u}); err != nil {
			t.Fatal(err)
		}
		return w.Body.String()
	}
	devices, people := render("devices.html", "Geräte"), render("people.html", "<Personen>")
	for _, want := range []string{`<html lang="de">`, `<title>Geräte</title>`, `<main id="main" tabindex="-1">`,
		`<h1>Geräte</h1><p class="greeting">Guten Tag</p>`} {
		if !strings.Contains(devices, want) {
			t.Errorf("the devices page lacks %s:\n%s", want, devices)
		}
	}
	if strings.Contains(devices, "Personen") || strings.Contains(people, "Geräte</h1>") {
		t.Errorf("a page shows another's content:\n%s\n%s", devices, people)
	}
	if !strings.Contains(people, "<h1>Personen</h1><td>&lt;Personen&gt;</td>") {
		t.Errorf("the people page, escaped, lacks its heading and row:\n%s", people)
	}
}

// A template that two files define, or a page that defines no "main", stops the start
// instead of one definition silently replacing the other.
func TestTemplatesRefuseATemplateDefinedTwiceOrAPageWithoutMain(t *testing.T) {
	files := fstest.MapFS{
		"partials.html": {Data: []byte(`{{define "row"}}<td>{{.}}</td>{{end}}`)},
		"a.html":        {Data: []byte(`{{define "main"}}A{{end}}{{define "row"}}<tr>{{.}}</tr>{{end}}`)},
		"b.html":        {Data: []byte(`{{define "main"}}B{{end}}{{define "extra"}}1{{end}}`)},
		"c.html":        {Data: []byte(`{{define "main"}}C{{end}}{{define "extra"}}2{{end}}`)},
		"plain.html":    {Data: []byte(`<h1>no main</h1>`)},
	}
	for _, tc := range []struct {
		shared []string
		pages  []string
		want   string
	}{
		{[]string{"partials.html"}, []string{"a.html"}, `"row" is defined twice`},
		{nil, []string{"b.html", "c.html"}, `"extra" is defined twice`},
		{nil, []string{"plain.html"}, `does not begin with {{define "main"}}`},
		{nil, []string{"missing.html"}, "missing.html"},
	} {
		if _, err := ui.Templates(files, nil, tc.shared, tc.pages...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("shared %v, pages %v: error %v, want one saying %s", tc.shared, tc.pages, err, tc.want)
		}
	}
}
