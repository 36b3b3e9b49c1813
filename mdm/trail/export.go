package trail

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// AuditFormat is the file format of an audit export.
type AuditFormat string

// The export formats: JSON Lines is the canonical one, CSV is for spreadsheets.
const (
	AuditJSONLines AuditFormat = "jsonl"
	AuditCSV       AuditFormat = "csv"
)

// AuditExportRequest is what a data-protection officer or an admin asks to export.
type AuditExportRequest struct {
	Format   AuditFormat
	From, To time.Time // zero: open
	Employee string    // an employee's e-mail address; empty: everyone
	// EmployeeID, DeviceID, Actor and Actions narrow the export as the dashboard's
	// filters narrow the page: to the events about one employee (by ID) or one device,
	// of one actor, of some actions. Empty: no narrowing.
	EmployeeID string
	DeviceID   string
	Actor      string
	Actions    []audit.Action
}

// AuditExport is a checked export request, ready to run.
type AuditExport struct {
	Tenant   mdm.Tenant
	Format   AuditFormat
	Filter   mdm.AuditFilter
	Employee *mdm.Employee // nil unless the export is about one employee
}

// PrepareAuditExport checks an export request: a known format, a time range that is not
// empty, an employee of the tenant. It writes nothing, so that a refused export leaves no
// trace but the caller's error message.
func (s *Service) PrepareAuditExport(ctx context.Context, t mdm.Tenant, req AuditExportRequest) (AuditExport, error) {
	switch req.Format {
	case AuditJSONLines, AuditCSV:
	default:
		return AuditExport{}, fmt.Errorf("%w: export format %q: use %s or %s", mdm.ErrInvalid, req.Format, AuditJSONLines, AuditCSV)
	}
	if !req.From.IsZero() && !req.To.IsZero() && !req.From.Before(req.To) {
		return AuditExport{}, fmt.Errorf("%w: the export's time range is empty: %s is not before %s", mdm.ErrInvalid,
			req.From.UTC().Format(time.RFC3339), req.To.UTC().Format(time.RFC3339))
	}
	x := AuditExport{Tenant: t, Format: req.Format, Filter: mdm.AuditFilter{From: req.From.UTC(), To: req.To.UTC(),
		DeviceID: req.DeviceID, Actor: req.Actor, Actions: req.Actions}}
	if req.EmployeeID != "" {
		emp, err := s.DB.Devices().Employee(ctx, t.ID, req.EmployeeID)
		if err != nil {
			return AuditExport{}, fmt.Errorf("tenant %s has no employee %s: %w", t.Name, req.EmployeeID, err)
		}
		x.Employee, x.Filter.EmployeeID = &emp, emp.ID
	}
	if strings.TrimSpace(req.Employee) != "" {
		email, err := mdm.NormalizeEmail(req.Employee)
		if err != nil {
			return AuditExport{}, err
		}
		emp, err := s.DB.Devices().EmployeeByEmail(ctx, t.ID, email)
		if errors.Is(err, mdm.ErrNotFound) {
			return AuditExport{}, fmt.Errorf("tenant %s has no employee %s: %w", t.Name, email, err)
		} else if err != nil {
			return AuditExport{}, err
		}
		x.Employee, x.Filter.EmployeeID = &emp, emp.ID
	}
	return x, nil
}

// AuditExported is what an export covers: its own event, which is the head of the chain
// the export vouches for, and the newest checkpoint at or before it.
type AuditExported struct {
	Event      audit.Event
	Checkpoint *audit.Checkpoint // nil when the tenant has none yet
	Events     int64             // how many events were exported
}

// ExportAudit records the export in the audit trail, then calls fn for every event the
// export selects, up to and including its own event. The export is recorded first, so that
// an export that fails halfway is on record too, and so that the head the caller signs
// covers the export itself.
func (s *Service) ExportAudit(ctx context.Context, actor string, x AuditExport, fn func(audit.Event) error) (AuditExported, error) {
	details := map[string]any{"format": x.Format}
	subject := audit.Tenant.Of(x.Tenant.ID)
	if !x.Filter.From.IsZero() {
		details["from"] = x.Filter.From
	}
	if !x.Filter.To.IsZero() {
		details["to"] = x.Filter.To
	}
	if x.Employee != nil {
		details["employee"] = x.Employee.ID
		subject = audit.Employee.Of(x.Employee.ID)
	}
	if x.Filter.DeviceID != "" {
		details["device"] = x.Filter.DeviceID
		subject = audit.Device.Of(x.Filter.DeviceID)
	}
	if x.Filter.Actor != "" {
		details["actor"] = x.Filter.Actor
	}
	if len(x.Filter.Actions) > 0 {
		details["actions"] = x.Filter.Actions
	}
	e, err := s.DB.AppendAudit(ctx, x.Tenant.ID, s.Settings.Now(), audit.Record{Actor: actor, Action: audit.AuditExport,
		Subject: subject, Details: audit.Fields(details)})
	if err != nil {
		return AuditExported{}, fmt.Errorf("record the export: %w", err)
	}
	out := AuditExported{Event: e}
	st := s.Tables(s.DB)
	switch cp, err := st.LatestCheckpoint(ctx, x.Tenant.ID, e.Seq); {
	case err == nil:
		out.Checkpoint = &cp
	case !errors.Is(err, mdm.ErrNotFound):
		return AuditExported{}, err
	}
	f := x.Filter
	f.UpToSeq = e.Seq
	err = st.FilteredAuditEvents(ctx, x.Tenant.ID, f, func(e audit.Event) error {
		out.Events++
		return fn(e)
	})
	if err != nil {
		return AuditExported{}, fmt.Errorf("export the audit trail of %s: %w", x.Tenant.Name, err)
	}
	return out, nil
}
