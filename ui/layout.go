package ui

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
)

//go:embed layout.html assets locales
var files embed.FS

// AssetPath is where Assets is mounted; the layout links the stylesheet below it.
const AssetPath = "/assets/"

// Messages are the shared texts of the layout, for NewCatalog.
func Messages() fs.FS {
	sub, _ := fs.Sub(files, "locales") // the folder is embedded at build time
	return sub
}

// Assets serves the embedded stylesheet under AssetPath, cacheable for a day.
func Assets() http.Handler {
	sub, _ := fs.Sub(files, "assets")
	fileServer := http.StripPrefix(AssetPath, http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		fileServer.ServeHTTP(w, r)
	})
}

// FaviconPath is where browsers ask for the site's icon without being told.
const FaviconPath = "/favicon.ico"

// Favicon serves the embedded icon (the layout links its SVG form under AssetPath too).
func Favicon() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		http.ServeFileFS(w, r, files, "assets/favicon.ico")
	})
}

// Page is what the layout needs of every page; Body is the page's own data.
type Page struct {
	*Localizer
	Title string
	// URL is the page's own address, for the language switch.
	URL  *url.URL
	Body any
	// Demo shows the demo banner: Google and Apple are played by fakes.
	Demo bool
	// Organisation is the tenant's name the header shows beside the product's, if known.
	Organisation string
	// Wide gives the page the dashboard's wide column instead of the reading width.
	Wide bool
}

// Here marks a menu entry that leads to href as the page the reader is on: it returns the
// attribute aria-current="page" when the page's path is href or lies below it (a device's
// page is below the device list), and nothing otherwise. A menu whose entries nest (the
// settings' general page above its other pages) marks its top entry with HereExactly.
func (p Page) Here(href string) template.HTMLAttr {
	path := p.path()
	if path == href || (strings.HasSuffix(href, "/") && path == strings.TrimSuffix(href, "/")) ||
		(!strings.HasSuffix(href, "/") && strings.HasPrefix(path, href+"/")) {
		return current
	}
	return ""
}

// HereExactly is Here for the page at href alone, not the pages below it.
func (p Page) HereExactly(href string) template.HTMLAttr {
	if p.path() == href {
		return current
	}
	return ""
}

// current is the attribute that marks a menu's entry of the page being read.
const current template.HTMLAttr = ` aria-current="page"`

// path is the page's path, for the menus; empty without an address.
func (p Page) path() string {
	if p.URL == nil {
		return ""
	}
	return p.URL.Path
}

// LangLink is one entry of the language switch.
type LangLink struct {
	Lang, Label, Href string
	Current           bool
}

// LangLinks returns the language switch: the page's own address in each language.
func (p Page) LangLinks() []LangLink {
	links := make([]LangLink, len(Languages))
	for i, lang := range Languages {
		u := *p.URL
		q := u.Query()
		q.Set("lang", lang)
		u.RawQuery = q.Encode()
		links[i] = LangLink{Lang: lang, Label: p.T("layout.lang." + lang), Href: u.RequestURI(), Current: lang == p.Lang()}
	}
	return links
}

// Templates parses each named page of fsys together with the layout. A page file defines
// the template "main"; the layout around it sets the language, the title, the stylesheet
// and the language switch.
func Templates(fsys fs.FS, funcs template.FuncMap, names ...string) (map[string]*template.Template, error) {
	layout, err := template.New("layout").Funcs(funcs).ParseFS(files, "layout.html")
	if err != nil {
		return nil, fmt.Errorf("layout: %w", err)
	}
	out := make(map[string]*template.Template, len(names))
	for _, name := range names {
		t, err := layout.Clone()
		if err == nil {
			t, err = t.ParseFS(fsys, name)
		}
		if err != nil {
			return nil, fmt.Errorf("page %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// Render writes the page with the status. It renders into a buffer first, so that a
// template error answers 500 instead of half a page; pages are never cached, because they
// carry personal data.
func Render(w http.ResponseWriter, status int, t *template.Template, p Page) error {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return fmt.Errorf("render %s: %w", t.Name(), err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Language", p.Lang())
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}
