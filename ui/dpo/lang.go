package dpo

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strconv"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/ui"
)

//go:embed locales
var locales embed.FS

// catalog holds the documents' texts in German and English.
var catalog = mustCatalog()

func mustCatalog() *ui.Catalog {
	own, err := fs.Sub(locales, "locales")
	if err == nil {
		var c *ui.Catalog
		if c, err = ui.NewCatalog(ui.Messages(), own); err == nil {
			return c
		}
	}
	panic(fmt.Sprintf("the documents' embedded texts: %v", err))
}

// Catalog returns the documents' texts in German and English, for tests that compare
// pages with them.
func Catalog() *ui.Catalog { return catalog }

// ParseLang checks a language asked for by name: one of ui.Languages, German when empty.
func ParseLang(s string) (string, error) {
	if s == "" {
		return ui.Languages[0], nil
	}
	if !slices.Contains(ui.Languages, s) {
		return "", fmt.Errorf("%w: language %q; choose one of %v", mdm.ErrInvalid, s, ui.Languages)
	}
	return s, nil
}

// texts are the documents' texts in one language, for the templates.
type texts struct{ *ui.Localizer }

// Term translates a value of the domain (a state, a platform, a command kind) in the
// group ("state", "platform", …); a value the texts do not know is shown as it is.
func (t texts) Term(group string, v any) string {
	id := group + "." + fmt.Sprint(v)
	if s := t.T(id); s != id {
		return s
	}
	return fmt.Sprint(v)
}

// Numbered returns the texts prefix.1, prefix.2, … as far as they exist.
func (t texts) Numbered(prefix string) []string {
	var out []string
	for i := 1; ; i++ {
		id := prefix + "." + strconv.Itoa(i)
		s := t.T(id)
		if s == id {
			return out
		}
		out = append(out, s)
	}
}

// numbered names the text prefix.n.
func numbered(prefix string, n int) string { return prefix + "." + strconv.Itoa(n) }

func textsIn(lang string) texts { return texts{catalog.Localizer(lang)} }
