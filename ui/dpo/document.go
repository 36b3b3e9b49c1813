package dpo

import (
	"fmt"
	"io"

	"github.com/trennwand/trennwand/mdm/dataprotection"
)

// document is a draft for the data-protection officer in one language, as the pages and
// the text render it: the impact assessment, the service agreement and the BSI mapping
// are each built from the facts into this one shape, so one template prints all three.
type document struct {
	texts
	Title, Heading string
	Intro          []string
	Facts          []row // who is responsible, when it was made
	Sections       []section
}

// section is one numbered part of a document. Key names it for tests.
type section struct {
	Key     string
	Heading string
	Paras   []string
	Items   []string
	Table   *table
}

type table struct {
	Head []string
	Rows [][]string
}

type row struct{ Name, Value string }

// build returns the document the facts are for, in the language.
func build(f dataprotection.DocumentFacts, lang string) (document, error) {
	t := textsIn(lang)
	var d document
	switch f.Document {
	case dataprotection.DocumentDPIA:
		d = dpia(f, t)
	case dataprotection.DocumentAgreement:
		d = agreement(f, t)
	case dataprotection.DocumentBSI:
		d = bsiMapping(f, t)
	default:
		return d, fmt.Errorf("no document %q", f.Document)
	}
	d.texts = t
	prefix := string(f.Document)
	d.Title = t.T(prefix+".title", args("Controller", f.Controller))
	d.Heading = t.T(prefix + ".heading")
	d.Intro = append([]string{t.T("doc.intro", args("At", date(f.GeneratedAt), "By", f.GeneratedBy))}, d.Intro...)
	d.Facts = append([]row{
		{t.T("rop.controller"), f.Controller},
		{t.T("rop.operator"), or(f.Operator, f.Controller)},
		{t.T("rop.contact"), or(f.PrivacyContact, t.T("dash_todo"))},
	}, d.Facts...)
	return d, nil
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// DocumentHTML writes the document as a page to print or save, in the language.
func DocumentHTML(w io.Writer, f dataprotection.DocumentFacts, lang string) error {
	d, err := build(f, lang)
	if err != nil {
		return err
	}
	return htmlPages.ExecuteTemplate(w, "document.html", d)
}

// DocumentPart writes the document as a part of another page (the dashboard's): what
// DocumentHTML writes between <main> and </main>.
func DocumentPart(w io.Writer, f dataprotection.DocumentFacts, lang string) error {
	d, err := build(f, lang)
	if err != nil {
		return err
	}
	return htmlPages.ExecuteTemplate(w, "document_body", d)
}

// DocumentText writes the document as Markdown, to be edited further, in the language.
func DocumentText(w io.Writer, f dataprotection.DocumentFacts, lang string) error {
	d, err := build(f, lang)
	if err != nil {
		return err
	}
	return markdown.ExecuteTemplate(w, "document.md", d)
}
