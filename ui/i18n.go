package ui

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"slices"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/trennwand/trennwand/mdm"
)

// The languages of every page. German comes first: it is the default for a browser that
// asks for neither.
var Languages = []string{"de", "en"}

// langCookie remembers the language an employee chose with the switch.
const langCookie = "lang"

// Lang returns the language of the page for r: the one chosen with the switch (?lang=),
// then the one remembered from an earlier choice, then the best match of the browser's
// Accept-Language, and German when nothing matches.
func Lang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); slices.Contains(Languages, l) {
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && slices.Contains(Languages, c.Value) {
		return c.Value
	}
	return mdm.Language(r.Header.Get("Accept-Language"))
}

// RememberLang keeps a language chosen with the switch for the following pages.
func RememberLang(w http.ResponseWriter, r *http.Request) {
	if l := r.URL.Query().Get("lang"); slices.Contains(Languages, l) {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
			Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
}

// Catalog holds the messages of the pages in every language, read from JSON files named
// after their language (de.json, en.json) that map message IDs to texts; a text may use
// template fields such as {{.Name}}.
type Catalog struct {
	bundle *i18n.Bundle
	ids    map[string][]string // language → message IDs, for Missing
}

// NewCatalog reads the message files of each directory in each file system: the shared
// ones of this package (see Messages) and those of the pages that use it.
func NewCatalog(sources ...fs.FS) (*Catalog, error) {
	c := &Catalog{bundle: i18n.NewBundle(language.German), ids: map[string][]string{}}
	c.bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	for _, src := range sources {
		for _, lang := range Languages {
			data, err := fs.ReadFile(src, lang+".json")
			if err != nil {
				return nil, fmt.Errorf("messages %s: %w", lang, err)
			}
			mf, err := c.bundle.ParseMessageFileBytes(data, lang+".json")
			if err != nil {
				return nil, fmt.Errorf("messages %s: %w", lang, err)
			}
			for _, m := range mf.Messages {
				c.ids[lang] = append(c.ids[lang], m.ID)
			}
		}
	}
	return c, nil
}

// Missing lists the message IDs that some language has and another lacks, for tests.
func (c *Catalog) Missing() []string {
	var missing []string
	for _, lang := range Languages {
		for _, other := range Languages {
			for _, id := range c.ids[other] {
				if !slices.Contains(c.ids[lang], id) {
					missing = append(missing, lang+": "+id)
				}
			}
		}
	}
	return missing
}

// IDs returns every message ID of the catalogue once, for tests that go through all texts.
func (c *Catalog) IDs() []string {
	var ids []string
	for _, lang := range Languages {
		ids = append(ids, c.ids[lang]...)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// Localizer returns the messages of one language.
func (c *Catalog) Localizer(lang string) *Localizer {
	return &Localizer{lang: lang, l: i18n.NewLocalizer(c.bundle, lang)}
}

// Localizer gives the texts of one language.
type Localizer struct {
	lang string
	l    *i18n.Localizer
}

// Lang is the localizer's language.
func (l *Localizer) Lang() string { return l.lang }

// T returns the text with the ID, filled with data when the text has fields. A missing
// message shows its ID, which tests catch, rather than breaking the page.
func (l *Localizer) T(id string, data ...any) string {
	cfg := &i18n.LocalizeConfig{MessageID: id}
	if len(data) > 0 {
		cfg.TemplateData = data[0]
	}
	s, err := l.l.Localize(cfg)
	if err != nil {
		return id
	}
	return s
}
