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

// Templates parses the named pages of fsys, the layout around each and the shared files
// (partials) into one set of templates, and returns each page's root. A page file defines
// the template "main"; in the set it is "main <page>", and the page's root "page <page>" is
// the layout (language, title, stylesheet, language switch) calling it. The layout and the
// shared files are parsed once for all pages: a copy of them per page was most of what the
// server's pages hold in memory (BenchmarkPageTemplates). A template that two files define
// is an error, not a silent replacement.
func Templates(fsys fs.FS, funcs template.FuncMap, shared []string, names ...string) (map[string]*template.Template, error) {
	layout, err := fs.ReadFile(files, "layout.html")
	if err != nil {
		return nil, fmt.Errorf("layout: %w", err)
	}
	set := template.New("").Funcs(funcs)
	// add parses a file on its own, so that a template it defines again is seen before it
	// replaces the set's, and then adds its parse trees to the set.
	add := func(file, name, text string) error {
		parsed, err := template.New(name).Funcs(funcs).Parse(text)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		for _, t := range parsed.Templates() {
			if set.Lookup(t.Name()) != nil {
				return fmt.Errorf("%s: template %q is defined twice", file, t.Name())
			}
		}
		for _, t := range parsed.Templates() {
			if _, err := set.AddParseTree(t.Name(), t.Tree); err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
		}
		return nil
	}
	for _, file := range shared {
		text, err := fs.ReadFile(fsys, file)
		if err == nil {
			err = add(file, "file "+file, string(text))
		}
		if err != nil {
			return nil, fmt.Errorf("shared %w", err)
		}
	}
	out := make(map[string]*template.Template, len(names))
	for _, name := range names {
		text, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("page %w", err)
		}
		page, found := strings.CutPrefix(strings.TrimSpace(string(text)), `{{define "main"}}`)
		if !found {
			return nil, fmt.Errorf("page %s: it does not begin with {{define \"main\"}}", name)
		}
		root := strings.Replace(string(layout), `{{template "main" .}}`, `{{template "main `+name+`" .}}`, 1)
		if err := add(name, "file "+name, `{{define "main `+name+`"}}`+page); err != nil {
			return nil, fmt.Errorf("page %w", err)
		}
		if err := add("layout.html", "page "+name, root); err != nil {
			return nil, fmt.Errorf("page %s: %w", name, err)
		}
		out[name] = set.Lookup("page " + name)
	}
	return out, nil
}

// Render writes the page with the status. It renders into a buffer first, so that a
// template error answers 500 instead of half a page; pages are never cached, because they
// carry personal data.
func Render(w http.ResponseWriter, status int, t *template.Template, p Page) error {
	var buf bytes.Buffer
	if err := t.Execute(&buf, p); err != nil {
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
