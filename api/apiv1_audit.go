package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/trail"
)

func (a *apiV1) listAuditEvents(c echo.Context, k call) error {
	var f mdm.AuditFilter
	var err error
	if f.From, err = timeQuery(c, "from"); err != nil {
		return err
	}
	if f.To, err = timeQuery(c, "to"); err != nil {
		return err
	}
	afterSeq, _ := strconv.ParseInt(c.QueryParam("after_seq"), 10, 64)
	page, err := pageQuery(c)
	if err != nil {
		return err
	}
	events, err := a.svc.Trail.AuditPage(c.Request().Context(), k.tenant, f, afterSeq, page.Limit)
	if err != nil {
		return err
	}
	if events == nil {
		events = []audit.Event{}
	}
	// Every event is written in the audit trail's one shape (audit.Event's JSON).
	out := map[string]any{"events": events}
	if n := len(events); n == page.Limit {
		out["next_after_seq"] = events[n-1].Seq
	}
	return c.JSON(http.StatusOK, out)
}

// exportAudit streams the selected events as JSON Lines. The export is recorded in the
// trail before the first line is written, and covers its own event.
func (a *apiV1) exportAudit(c echo.Context, k call) error {
	req := trail.AuditExportRequest{Format: trail.AuditJSONLines, Employee: c.QueryParam("employee")}
	var err error
	if req.From, err = timeQuery(c, "from"); err != nil {
		return err
	}
	if req.To, err = timeQuery(c, "to"); err != nil {
		return err
	}
	ctx := c.Request().Context()
	x, err := a.svc.Trail.PrepareAuditExport(ctx, k.tenant, req)
	if err != nil {
		return err
	}
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, "application/x-ndjson")
	w.Header().Set("Content-Disposition", `attachment; filename="audit-`+k.tenant.Name+`.jsonl"`)
	enc := json.NewEncoder(w)
	_, err = a.svc.Trail.ExportAudit(ctx, k.who.Actor, x, func(e audit.Event) error {
		if !w.Committed {
			w.WriteHeader(http.StatusOK)
		}
		return enc.Encode(e)
	})
	return err
}
