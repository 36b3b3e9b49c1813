package api

import (
	"bytes"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/ui"
	"github.com/trennwand/trennwand/ui/dashboard"
	"github.com/trennwand/trennwand/ui/dpo"
)

// employeeReport answers with everything stored about one employee and every access to
// it (Art. 15 GDPR), as JSON or, with format=html, as a page to print. Making it is
// recorded in the audit trail.
func (a *apiV1) employeeReport(c echo.Context, k call) error {
	r, err := a.svc.DataProtection.ReportEmployeeByID(c.Request().Context(), k.who.Actor, k.tenant, c.Param("id"))
	if err != nil {
		return err
	}
	if c.QueryParam("format") == "html" {
		names, err := dashboard.ActionNames()
		if err != nil {
			return err
		}
		var page bytes.Buffer
		if err := dpo.ReportHTML(&page, r, ui.Lang(c.Request()), names); err != nil {
			return err
		}
		return c.HTMLBlob(http.StatusOK, page.Bytes())
	}
	return c.JSON(http.StatusOK, dpo.Report(r))
}

// processingRecord answers with the record of processing (Art. 30 GDPR) as Markdown or,
// with format=html, as a page to print.
func (a *apiV1) processingRecord(c echo.Context, k call) error {
	r, err := a.svc.DataProtection.ProcessingRecord(c.Request().Context(), k.tenant)
	if err != nil {
		return err
	}
	return pageOrMarkdown(c, func(w io.Writer, lang string) error { return dpo.ProcessingHTML(w, r, lang) },
		func(w io.Writer, lang string) error { return dpo.ProcessingMarkdown(w, r, lang) })
}

// pageOrMarkdown answers with a document for the data-protection officer in the reader's
// language: as Markdown, or with format=html as a page to print.
func pageOrMarkdown(c echo.Context, page, text func(w io.Writer, lang string) error) error {
	var out bytes.Buffer
	if c.QueryParam("format") == "html" {
		if err := page(&out, ui.Lang(c.Request())); err != nil {
			return err
		}
		return c.HTMLBlob(http.StatusOK, out.Bytes())
	}
	if err := text(&out, ui.Lang(c.Request())); err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "text/markdown; charset=utf-8", out.Bytes())
}

// documentDraft answers with a draft for the data-protection officer (impact
// assessment, service agreement, BSI mapping) as Markdown or, with format=html, as a page
// to print. Generating it is recorded in the audit trail.
func documentDraft(d dataprotection.Document) func(a *apiV1, c echo.Context, k call) error {
	return func(a *apiV1, c echo.Context, k call) error {
		f, err := a.svc.DataProtection.DocumentDraft(c.Request().Context(), k.who.Actor, k.tenant, d)
		if err != nil {
			return err
		}
		return pageOrMarkdown(c, func(w io.Writer, lang string) error { return dpo.DocumentHTML(w, f, lang) },
			func(w io.Writer, lang string) error { return dpo.DocumentText(w, f, lang) })
	}
}

func (a *apiV1) getDataProtection(c echo.Context, k call) error {
	d, err := a.svc.DataProtection.TenantDataProtection(c.Request().Context(), k.tenant)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, dpo.Settings(d))
}

func (a *apiV1) setDataProtection(c echo.Context, k call) error {
	var in dpo.SettingsJSON
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	dp := in.DataProtection()
	if err := dataprotection.CheckLegalBasis(dp.LegalBasis, dp.EmploymentLaw, dp.LandLaw); err != nil {
		p := newProblem(ProblemSettingRefused, err.Error())
		p.Rule = "legal_basis"
		return p
	}
	d, err := a.svc.DataProtection.SetDataProtection(c.Request().Context(), k.who.Actor, k.tenant, dp)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, dpo.Settings(d))
}

// accessLogJSON is one entry of the access log: the event, and whose data it was when the
// subject leads to an employee.
type accessLogJSON struct {
	Event    audit.Event   `json:"event"`
	Employee *employeeJSON `json:"employee"`
}

// accessLog lists who looked at whose data (opened a device or an employee, made an
// employee's report, exported the audit trail), oldest first, a page at a time.
func (a *apiV1) accessLog(c echo.Context, k call) error {
	afterSeq, _ := strconv.ParseInt(c.QueryParam("after_seq"), 10, 64)
	page, err := pageQuery(c)
	if err != nil {
		return err
	}
	accesses, err := a.svc.DataProtection.AccessLog(c.Request().Context(), k.tenant, afterSeq, page.Limit)
	if err != nil {
		return err
	}
	out := map[string]any{"accesses": mapSlice(accesses, func(x dataprotection.Access) accessLogJSON {
		j := accessLogJSON{Event: x.Event}
		if x.Whose != nil {
			e := employeeOut(*x.Whose)
			j.Employee = &e
		}
		return j
	})}
	if n := len(accesses); n == page.Limit {
		out["next_after_seq"] = accesses[n-1].Seq
	}
	return c.JSON(http.StatusOK, out)
}
