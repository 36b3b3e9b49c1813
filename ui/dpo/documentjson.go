package dpo

import (
	"time"

	"github.com/trennwand/trennwand/mdm/dataprotection"
)

// DocumentJSON is a draft for the data-protection officer as scripts read it: the same
// sections, paragraphs, items and table rows the page and the text show, in one language.
type DocumentJSON struct {
	Document    string        `json:"document"`
	Lang        string        `json:"lang"`
	Title       string        `json:"title"`
	Heading     string        `json:"heading"`
	GeneratedAt time.Time     `json:"generated_at"`
	GeneratedBy string        `json:"generated_by"`
	Intro       []string      `json:"intro"`
	Facts       []FactJSON    `json:"facts"`
	Sections    []SectionJSON `json:"sections"`
}

// FactJSON is one named fact of a document's head (controller, operator, contact).
type FactJSON struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// SectionJSON is one numbered section; Key names it independently of the language.
type SectionJSON struct {
	Number     int        `json:"number"`
	Key        string     `json:"key"`
	Heading    string     `json:"heading"`
	Paragraphs []string   `json:"paragraphs,omitempty"`
	Items      []string   `json:"items,omitempty"`
	Table      *TableJSON `json:"table,omitempty"`
}

// TableJSON is a section's table: the column heads and the rows of cells under them.
type TableJSON struct {
	Head []string   `json:"head"`
	Rows [][]string `json:"rows"`
}

// Document returns the draft in the language as JSON.
func Document(f dataprotection.DocumentFacts, lang string) (DocumentJSON, error) {
	d, err := build(f, lang)
	if err != nil {
		return DocumentJSON{}, err
	}
	out := DocumentJSON{Document: string(f.Document), Lang: d.Lang(), Title: d.Title, Heading: d.Heading,
		GeneratedAt: f.GeneratedAt.UTC(), GeneratedBy: f.GeneratedBy, Intro: d.Intro,
		Facts: []FactJSON{}, Sections: []SectionJSON{}}
	for _, r := range d.Facts {
		out.Facts = append(out.Facts, FactJSON(r))
	}
	for i, s := range d.Sections {
		sj := SectionJSON{Number: i + 1, Key: s.Key, Heading: s.Heading, Paragraphs: s.Paras, Items: s.Items}
		if s.Table != nil {
			sj.Table = &TableJSON{Head: s.Table.Head, Rows: s.Table.Rows}
		}
		out.Sections = append(out.Sections, sj)
	}
	return out, nil
}

// ProcessingJSON is the record of processing as scripts read it, in one language.
type ProcessingJSON struct {
	Lang           string      `json:"lang"`
	GeneratedAt    time.Time   `json:"generated_at"`
	Controller     string      `json:"controller"`
	Operator       string      `json:"operator,omitempty"`
	PrivacyContact string      `json:"privacy_contact,omitempty"`
	LegalBasis     string      `json:"legal_basis"`
	Purposes       []string    `json:"purposes"`
	DataSubjects   []string    `json:"data_subjects"`
	DataCategories []string    `json:"data_categories"`
	Recipients     []Recipient `json:"recipients"`
	Transfer       string      `json:"transfer"`
	Retention      []string    `json:"retention"`
	Measures       []string    `json:"measures"`
}

// Processing returns the record of processing in the language as JSON.
func Processing(r dataprotection.RecordOfProcessing, lang string) ProcessingJSON {
	v := newProcessingView(r, lang)
	return ProcessingJSON{Lang: v.Lang(), GeneratedAt: r.GeneratedAt.UTC(), Controller: r.Controller, Operator: r.Operator,
		PrivacyContact: r.PrivacyContact, LegalBasis: v.LegalBasis, Purposes: v.Purposes, DataSubjects: v.DataSubjects,
		DataCategories: v.DataCategories, Recipients: v.Recipients, Transfer: v.T("rop.transfer"), Retention: v.Retention, Measures: v.Measures}
}
