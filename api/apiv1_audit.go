package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/audit/export"
	"github.com/trennwand/trennwand/mdm/trail"
	"github.com/trennwand/trennwand/ui/dashboard"
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

// exportAudit answers with the selected events: as JSON Lines (the default) or CSV, or,
// with signed=true, as the ZIP archive the dashboard gives — the events, the manifest and
// its signature by the installation's CA. The filters are those of the dashboard's audit
// page. The export is recorded in the trail before the first event is written, and covers
// its own event.
func (a *apiV1) exportAudit(c echo.Context, k call) error {
	req := trail.AuditExportRequest{Format: trail.AuditJSONLines, Employee: c.QueryParam("employee"),
		DeviceID: c.QueryParam("device"), Actor: c.QueryParam("actor")}
	var err error
	if req.From, err = timeQuery(c, "from"); err != nil {
		return err
	}
	if req.To, err = timeQuery(c, "to"); err != nil {
		return err
	}
	if f := c.QueryParam("format"); f != "" {
		if req.Format = trail.AuditFormat(f); req.Format != trail.AuditCSV && req.Format != trail.AuditJSONLines {
			return fmt.Errorf("%w: format %q: use jsonl or csv", mdm.ErrInvalid, f)
		}
	}
	if req.DeviceID != "" && !mdm.IsID(req.DeviceID) {
		return fmt.Errorf("%w: device %q is not a device ID", mdm.ErrInvalid, req.DeviceID)
	}
	if what := c.QueryParam("what"); what != "" {
		if req.Actions = audit.ActionsNamed(what); req.Actions == nil {
			return fmt.Errorf("%w: what %q is neither a group of events nor an event", mdm.ErrInvalid, what)
		}
	}
	signed := false
	if s := c.QueryParam("signed"); s != "" {
		if signed, err = strconv.ParseBool(s); err != nil {
			return fmt.Errorf("%w: signed %q: use true or false", mdm.ErrInvalid, s)
		}
	}
	if signed && a.signer == nil {
		return fmt.Errorf("%w: signed audit exports need the installation's CA", mdm.ErrUnavailable)
	}
	ctx := c.Request().Context()
	x, err := a.svc.Trail.PrepareAuditExport(ctx, k.tenant, req)
	if err != nil {
		return err
	}
	run := func(write func(audit.Event) error) (trail.AuditExported, error) {
		return a.svc.Trail.ExportAudit(ctx, k.who.Actor, x, write)
	}
	if signed {
		signer, err := a.signer(ctx)
		if err != nil {
			return err
		}
		out := dashboard.NewDownload(c.Response(), "application/zip", export.ArchiveName(x, a.svc.Settings().Now()))
		_, err = export.WriteArchive(out, x, k.who.Actor, signer, run)
		return err
	}
	contentType := "application/x-ndjson"
	if req.Format == trail.AuditCSV {
		contentType = "text/csv; charset=utf-8"
	}
	out := dashboard.NewDownload(c.Response(), contentType, "audit-"+k.tenant.Name+"."+string(req.Format))
	_, err = export.WriteEvents(out, x, run)
	return err
}
