package dpo

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/dataprotection"
)

//go:embed templates
var files embed.FS

var (
	htmlPages = template.Must(template.New("").Funcs(template.FuncMap{"date": date, "details": details, "args": args, "events": eventList, "inc": inc}).
			ParseFS(files, "templates/*.html"))
	markdown = texttemplate.Must(texttemplate.New("").Funcs(texttemplate.FuncMap{"date": date, "args": args, "inc": inc, "cell": cell}).
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

// args makes the fields of a text from name, value pairs: {{.T "id" (args "Name" .Name)}}.
func args(kv ...any) map[string]any {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return m
}

// inc numbers the sections of a document from 1.
func inc(i int) int { return i + 1 }

// cell keeps a text in one cell of a Markdown table.
func cell(s string) string { return strings.NewReplacer("|", "\\|", "\n", " ").Replace(s) }

// details shows an audit event's details without the braces of JSON.
func details(d audit.Details) string {
	return strings.TrimSuffix(strings.TrimPrefix(string(d), "{"), "}")
}

// reportView is the employee report with its wording in one language.
type reportView struct {
	dataprotection.EmployeeReport
	texts
	names ActionNames
}

// Did says what the event's action did.
func (v reportView) Did(a audit.Action) string { return v.names(v.Lang(), a) }

// eventsView is a list of audit events for the report's "events" part.
type eventsView struct {
	View   reportView
	Events []audit.Event
}

func eventList(v reportView, e []audit.Event) eventsView { return eventsView{v, e} }

// ActionNames says in a language what an audit action did, for the report's list of
// events: the labels the dashboard gives the actions (dashboard.ActionNames).
type ActionNames func(lang string, a audit.Action) string

// ReportHTML writes the employee report as a page to print or save, in the language
// (see ParseLang), naming the events' actions with names.
func ReportHTML(w io.Writer, r dataprotection.EmployeeReport, lang string, names ActionNames) error {
	return htmlPages.ExecuteTemplate(w, "report.html", reportView{r, textsIn(lang), names})
}

// ReportPart writes the employee report as a part of another page (the dashboard's):
// what ReportHTML writes between <main> and </main>.
func ReportPart(w io.Writer, r dataprotection.EmployeeReport, lang string, names ActionNames) error {
	return htmlPages.ExecuteTemplate(w, "report_body", reportView{r, textsIn(lang), names})
}

// ProcessingPart writes the record of processing as a part of another page.
func ProcessingPart(w io.Writer, r dataprotection.RecordOfProcessing, lang string) error {
	return htmlPages.ExecuteTemplate(w, "processing_body", newProcessingView(r, lang))
}

// ProcessingHTML writes the record of processing as a page to print or save, in the
// language.
func ProcessingHTML(w io.Writer, r dataprotection.RecordOfProcessing, lang string) error {
	return htmlPages.ExecuteTemplate(w, "processing.html", newProcessingView(r, lang))
}

// ProcessingMarkdown writes the record of processing as Markdown, to be edited further,
// in the language.
func ProcessingMarkdown(w io.Writer, r dataprotection.RecordOfProcessing, lang string) error {
	return markdown.ExecuteTemplate(w, "processing.md", newProcessingView(r, lang))
}
