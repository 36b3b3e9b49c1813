package dpo

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

//go:embed templates
var files embed.FS

var (
	htmlPages = template.Must(template.New("").Funcs(template.FuncMap{"date": date, "details": details}).
			ParseFS(files, "templates/*.html"))
	markdown = texttemplate.Must(texttemplate.New("").Funcs(texttemplate.FuncMap{"date": date}).
			ParseFS(files, "templates/*.md"))
)

// date shows a time as the reader expects it in a document: UTC, to the second.
func date(v any) string {
	switch t := v.(type) {
	case time.Time:
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	case *time.Time:
		if t == nil {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	return fmt.Sprint(v)
}

// details shows an audit event's details without the braces of JSON.
func details(d mdm.JSONObject) string {
	return strings.TrimSuffix(strings.TrimPrefix(string(d), "{"), "}")
}

// ReportHTML writes the employee report as a page to print or save.
func ReportHTML(w io.Writer, r mdm.EmployeeReport) error {
	return htmlPages.ExecuteTemplate(w, "report.html", r)
}

// ProcessingHTML writes the record of processing as a page to print or save.
func ProcessingHTML(w io.Writer, r mdm.RecordOfProcessing) error {
	return htmlPages.ExecuteTemplate(w, "processing.html", r)
}

// ProcessingMarkdown writes the record of processing as Markdown, to be edited further.
func ProcessingMarkdown(w io.Writer, r mdm.RecordOfProcessing) error {
	return markdown.ExecuteTemplate(w, "processing.md", r)
}
