package dashboard

import (
	"encoding/csv"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// exportDevices answers with the devices as CSV: the selection, or the whole filtered list
// read page by page. The export is recorded in the audit trail with its reason before a
// byte is written; the file holds what the list shows and nothing of the phone's private
// side (there is none in a listing).
func (d *Dashboard) exportDevices(w http.ResponseWriter, r *http.Request, data bulkData, query mdm.DeviceQuery) {
	v := viewerOf(r)
	rec := mdm.BulkRecord{Action: mdm.BulkExport, Reason: data.Reason, Count: int(data.Count)}
	if data.All {
		rec.Filter = map[string]string{}
		for k := range data.Filters.Values() {
			rec.Filter[k] = data.Filters.Values().Get(k)
		}
	} else {
		for _, dev := range data.Devices {
			rec.Devices = append(rec.Devices, dev.ID)
		}
	}
	if err := d.svc.RecordBulk(r.Context(), v.Principal.Actor, v.Tenant, rec); err != nil {
		d.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="devices-`+time.Now().UTC().Format("2006-01-02")+`.csv"`)
	out := newSafeCSV(w)
	_ = out.Write(deviceCSVHeader)
	if !data.All {
		for _, dev := range data.Devices {
			_ = out.Write(deviceCSVRow(dev))
		}
		out.Flush()
		return
	}
	query.Page = mdm.Page{Limit: mdm.MaxPageSize}
	for {
		ds, err := d.svc.DevicePage(r.Context(), v.Tenant, query)
		if err != nil {
			// The header is sent; the file ends short and the log says why.
			d.cfg.Log.Error("export devices", "error", err)
			break
		}
		for _, dev := range ds {
			_ = out.Write(deviceCSVRow(dev))
		}
		if len(ds) < query.Limit {
			break
		}
		c := query.Sort.CursorAfter(ds[len(ds)-1])
		query.After = &c
	}
	out.Flush()
}

// deviceCSVHeader names the columns of the export, in English like the JSON API's fields.
var deviceCSVHeader = []string{"device_id", "employee_name", "employee_email", "platform", "ownership", "state", "compliance", "os_version",
	"last_contact", "work_policy", "created"}

func deviceCSVRow(d mdm.DeviceListing) []string {
	contact := ""
	if d.LastContactAt != nil {
		contact = d.LastContactAt.UTC().Format(time.RFC3339)
	}
	return []string{d.ID, d.EmployeeName, d.EmployeeEmail, string(d.Platform), string(d.Ownership), string(d.State), string(d.Compliance), d.OSVersion,
		contact, d.PolicyName, d.CreatedAt.UTC().Format(time.RFC3339)}
}

// safeCSV writes CSV whose cells a spreadsheet cannot take for a formula: a cell that
// starts with = + - @, a tab or a carriage return gets a leading apostrophe, which
// spreadsheets show as text (OWASP's advice on CSV injection). Names and addresses come
// from outside (a directory, an import), so any of them may start that way.
type safeCSV struct{ *csv.Writer }

func newSafeCSV(w io.Writer) safeCSV { return safeCSV{csv.NewWriter(w)} }

// Write writes one record with every cell made safe.
func (s safeCSV) Write(record []string) error {
	safe := make([]string, len(record))
	for i, c := range record {
		safe[i] = safeCell(c)
	}
	return s.Writer.Write(safe)
}

func safeCell(c string) string {
	if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
		return "'" + c
	}
	return c
}
