package dashboard_test

import (
	"io/fs"
	"os"
	"regexp"
	"testing"

	"github.com/trennwand/trennwand/ui/dashboard"
)

// Every text of the dashboard exists in German and English, and every text a template
// asks for by name exists.
func TestEveryTextInBothLanguages(t *testing.T) {
	c, err := dashboard.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range c.Missing() {
		t.Errorf("missing message %s", m)
	}
	literal := regexp.MustCompile(`\.T "([a-z_.-]+)"`)
	templates := os.DirFS("templates")
	names, _ := fs.Glob(templates, "*.html")
	for _, lang := range []string{"de", "en"} {
		l := c.Localizer(lang)
		for _, name := range names {
			b, _ := fs.ReadFile(templates, name)
			for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
				if l.T(m[1]) == m[1] {
					t.Errorf("%s asks for %q, which %s lacks", name, m[1], lang)
				}
			}
		}
	}
}
