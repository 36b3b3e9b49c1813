package dashboard

import (
	"fmt"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/compliance"
)

// A refusal of the domain reads in the page's language with the values it names; one the
// catalogue has no text for yet keeps its own sentence, without the name of its kind.
func TestARefusalIsSaidInTheReadersLanguage(t *testing.T) {
	c, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	_, bad := mdm.NormalizeEmail("anna at musterstadt")
	m := said(fmt.Errorf("invite: %w", bad))
	for lang, want := range map[string]string{"de": "„anna at musterstadt“ ist keine E-Mail-Adresse.", "en": "“anna at musterstadt” is not an e-mail address."} {
		if got := c.Localizer(lang).T(m.ID, m.Args); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	if m := said(fmt.Errorf("%w: the moon is not a tenant", mdm.ErrInvalid)); m.ID != "the moon is not a tenant" {
		t.Errorf("a refusal without a text says %q", m.ID)
	}
}

// Every reason of the compliance rules has its text in German and English, with each value
// it names filled in.
func TestEveryComplianceReasonInBothLanguages(t *testing.T) {
	c, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"de", "en"} {
		l := c.Localizer(lang)
		for _, id := range compliance.ReasonIDs() {
			text := l.T("compliance.reason."+id, map[string]string{"Platform": "Android", "Version": "13", "Min": "14", "Level": "2026-01-05",
				"Age": "335", "Days": "90", "Detail": "MEETS_BASIC_INTEGRITY", "Silent": "40"})
			if text == "compliance.reason."+id || strings.Contains(text, "<no value>") {
				t.Errorf("%s: reason %s reads %q", lang, id, text)
			}
		}
	}
}
