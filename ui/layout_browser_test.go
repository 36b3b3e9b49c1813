package ui_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/trennwand/trennwand/ui"
	"github.com/trennwand/trennwand/ui/browsertest"
)

// layoutServer serves a page of the shared layout with a heading, a search form, a list
// in a form (as the device list is) and a notice, the header's tenant name and the demo banner, and the stylesheet; the query
// "wide" asks for the dashboard's column.
func layoutServer(t *testing.T) *httptest.Server {
	t.Helper()
	pages := fstest.MapFS{"page.html": {Data: []byte(`{{define "main"}}<h1 id="heading">Geräte</h1>
<form method="get" action="/"><label for="q">Suche</label><input id="q" name="q" type="search"><button type="submit">Anzeigen</button></form>
<form method="post" action="/" id="list"><table><thead><tr><th scope="col">Person</th><th scope="col">Zustand</th></tr></thead>
<tbody><tr><td><a href="https://mdm.musterstadt.example/ui/devices/1">erika@musterstadt.example</a></td><td><span class="badge badge-active">Aktiv</span></td></tr></tbody></table>
<button type="submit" class="danger">Arbeitsbereich entfernen</button></form>
<p class="box problem" role="alert">Das hat nicht geklappt.</p>{{end}}`)}}
	templates, err := ui.Templates(pages, nil, nil, "page.html")
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := ui.NewCatalog(ui.Messages())
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(ui.AssetPath, ui.Assets())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		u := *r.URL
		p := ui.Page{Localizer: catalog.Localizer(ui.Lang(r)), Title: "Geräte", URL: &u, Demo: true,
			Organisation: "Stadt Musterstadt", Wide: r.URL.Query().Has("wide")}
		if err := ui.Render(w, http.StatusOK, templates["page.html"], p); err != nil {
			t.Error(err)
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// edges are the left edges of the product's name, the demo banner's text and the page's
// heading, and the right edges of the language switch and of the content column.
const edges = `(() => {
	const box = s => document.querySelector(s).getBoundingClientRect();
	const demo = document.querySelector(".demo"), pad = parseFloat(getComputedStyle(demo).paddingLeft);
	const main = document.querySelector("main"), mainPad = parseFloat(getComputedStyle(main).paddingRight);
	return [box(".brand").left, box(".demo").left + pad, box("h1").left, box(".langs").right, box("main").right - mainPad].map(Math.round);
})()`

// On a phone and on an office screen, with the portal's reading column and the dashboard's
// wide one, the product and tenant name, the demo banner's text and the page's heading
// start at one edge, and the language switch ends where the content ends; the page passes
// the accessibility check in light and dark colours; printed, it is the content alone, the
// list included, without header, banner, search or buttons. The first Tab shows the skip
// link with the focus ring.
func TestBrowserTheLayoutLinesUpAndPrintsItsContent(t *testing.T) {
	srv := layoutServer(t)
	browser := browsertest.New(t)
	tab := browser.Phone(t, "Mozilla/5.0 (Linux; Android 14) Mobile", "de-DE,de;q=0.9")
	for _, c := range []struct {
		name     string
		viewport chromedp.Action[chromedp.Void]
		query    string
	}{
		{"phone", browsertest.PhoneViewport(), ""},
		{"phone, wide", browsertest.PhoneViewport(), "?wide"},
		{"desktop", browsertest.DesktopViewport(), ""},
		{"desktop, wide", browsertest.DesktopViewport(), "?wide"},
	} {
		tab.Do(c.viewport, chromedp.Navigate(srv.URL+"/"+c.query), chromedp.WaitVisible(chromedp.CSS("#heading")))
		e := browsertest.Get(tab, chromedp.Evaluate[[]int](edges))
		if e[0] != e[1] || e[1] != e[2] {
			t.Errorf("%s: product name, demo banner and heading start at %v, want one edge", c.name, e[:3])
		}
		if e[3] != e[4] {
			t.Errorf("%s: the language switch ends at %d, the content at %d", c.name, e[3], e[4])
		}
		if text := tab.Text(); !strings.Contains(text, "trennwand") || !strings.Contains(text, "Stadt Musterstadt") {
			t.Errorf("%s: the header does not name the product and tenant:\n%.300s", c.name, text)
		}
		tab.CheckAccessibility()
		tab.Screenshot("layout-" + c.name)
	}

	// The first Tab shows the skip link, with the focus ring.
	tab.Do(chromedp.KeyEvent(kb.Tab))
	skip := browsertest.Get(tab, chromedp.Evaluate[[]string](`(() => { const a = document.activeElement, st = getComputedStyle(a);
		return [a.className, String(a.getBoundingClientRect().top >= 0), st.outlineStyle, st.outlineWidth]; })()`))
	if want := []string{"skip", "true", "solid", "4px"}; !slices.Equal(skip, want) {
		t.Errorf("after the first Tab the focus is on %v (class, on screen, outline), want %v", skip, want)
	}

	tab.Emulate("", "dark")
	tab.Screenshot("layout-dark")
	tab.Emulate("print", "light")
	shown := `s => getComputedStyle(document.querySelector(s)).display !== "none"`
	if left := browsertest.Get(tab, chromedp.Evaluate[[]string](`["header.top", ".demo", "form[method=get]", "button"].filter(`+shown+`)`)); len(left) > 0 {
		t.Errorf("printed, the page keeps %v", left)
	}
	if !browsertest.Get(tab, chromedp.Evaluate[bool](`(`+shown+`)("#list table")`)) {
		t.Error("printed, the list a form holds is left out")
	}
	ink := browsertest.Get(tab, chromedp.Evaluate[[]string](`[getComputedStyle(document.body).color, getComputedStyle(document.body).backgroundColor]`))
	if ink[0] != "rgb(0, 0, 0)" || ink[1] != "rgb(255, 255, 255)" {
		t.Errorf("printed, the page is %s on %s, want black on white", ink[0], ink[1])
	}
	tab.Emulate("", "light")
}
