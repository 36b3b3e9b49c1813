package dashboard

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/trennwand/trennwand/mdm"
)

// bulkKind is an action on a selection of devices: its address below /ui/devices/bulk/
// and how it is done for one device (nil for the export, which writes a file instead).
type bulkKind struct {
	Path   string
	Action mdm.BulkAction
	do     func(d *Dashboard, r *http.Request, v Viewer, dev mdm.DeviceListing, reason string) error
}

var (
	bulkMove = bulkKind{Path: "move", Action: mdm.BulkMove,
		do: func(d *Dashboard, r *http.Request, v Viewer, dev mdm.DeviceListing, _ string) error {
			_, err := d.svc.WorkPolicy.AssignWorkPolicy(r.Context(), v.Principal.Actor, v.Tenant, dev.ID, r.PostFormValue("policy"))
			return err
		}}
	bulkRemove = bulkKind{Path: "remove-work-data", Action: mdm.BulkRemoveWorkData,
		do: func(d *Dashboard, r *http.Request, v Viewer, dev mdm.DeviceListing, reason string) error {
			return d.svc.RemoveDevice(r.Context(), v.Principal.Actor, v.Tenant, dev.ID, reason)
		}}
	bulkResend = bulkKind{Path: "resend-invitation", Action: mdm.BulkResendInvitation,
		do: func(d *Dashboard, r *http.Request, v Viewer, dev mdm.DeviceListing, _ string) error {
			if dev.State != mdm.DeviceInvited {
				return errNotInvited
			}
			_, err := d.svc.Enrolment.ResendInvitation(r.Context(), v.Principal.Actor, v.Tenant, dev.EmployeeEmail)
			return err
		}}
	bulkExport = bulkKind{Path: "export", Action: mdm.BulkExport}
)

// errNotInvited refuses to resend the invitation of a device that is enrolling or enrolled.
var errNotInvited = errors.New("devices.bulk_not_invited")

// bulkData is the confirmation of a bulk action and, once done, its outcome.
type bulkData struct {
	Kind    bulkKind
	Filters deviceFilters
	// All: the export of the whole filtered list rather than a selection.
	All     bool
	Count   int64
	Devices []mdm.DeviceListing
	// Missing are the chosen IDs that name no device of the tenant (any more): left out,
	// and said so.
	Missing []string
	Policy  mdm.WorkPolicy
	Reason  string
	Results []bulkResult // empty until done
	Failed  int
}

// bulkResult is what became of one device of the selection: Problem is empty when the
// action was done, else the message (an ID of the catalogue or the domain's words).
type bulkResult struct {
	ID, Email string
	Problem   message
}

// bulk handles a bulk action's form: without a ticked confirmation and a reason it shows
// the confirmation, which names how many devices the action concerns; with them it does
// the action device by device and shows the outcome of each. The selection is read in the
// viewer's tenant, so a device of another tenant is "not found" like one that does not
// exist.
func (d *Dashboard) bulk(k bulkKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := viewerOf(r)
		data, query, err := d.bulkSelection(r, k)
		if err != nil {
			d.fail(w, r, err)
			return
		}
		reason, err := confirmedReason(r)
		if err != nil {
			p := page{Data: data}
			if r.PostFormValue("confirm") != "" || r.PostFormValue("reason") != "" {
				p.Error = "devices.bulk_confirm_missing"
			}
			d.show(w, r, "devices_bulk.html", "devices.bulk_title", p)
			return
		}
		data.Reason = reason
		if k.do == nil {
			d.exportDevices(w, r, data, query)
			return
		}
		rec := mdm.BulkRecord{Action: k.Action, Reason: reason}
		for _, id := range data.Missing {
			data.Results = append(data.Results, bulkResult{ID: id, Problem: message{ID: "devices.bulk_not_found"}})
			rec.Devices, rec.Failed = append(rec.Devices, id), append(rec.Failed, id)
			data.Failed++
		}
		for _, dev := range data.Devices {
			res := bulkResult{ID: dev.ID, Email: dev.EmployeeEmail}
			if err := k.do(d, r, v, dev, reason); err != nil {
				res.Problem = d.bulkProblem(r, err)
				rec.Failed = append(rec.Failed, dev.ID)
				data.Failed++
			}
			rec.Devices = append(rec.Devices, dev.ID)
			data.Results = append(data.Results, res)
		}
		if err := d.svc.RecordBulk(r.Context(), v.Principal.Actor, v.Tenant, rec); err != nil {
			d.fail(w, r, err)
			return
		}
		d.show(w, r, "devices_bulk.html", "devices.bulk_title", page{Data: data})
	}
}

// bulkSelection reads which devices the form names: the ticked ones of the viewer's
// tenant, or for an export of the whole list the filters it was shown with.
func (d *Dashboard) bulkSelection(r *http.Request, k bulkKind) (bulkData, mdm.DeviceQuery, error) {
	v := viewerOf(r)
	if err := r.ParseForm(); err != nil {
		return bulkData{}, mdm.DeviceQuery{}, errors.Join(mdm.ErrInvalid, err)
	}
	data := bulkData{Kind: k, All: k.Action == mdm.BulkExport && r.PostFormValue("scope") == "all"}
	var query mdm.DeviceQuery
	var err error
	if data.All {
		if data.Filters, query, err = parseDeviceList(r.PostForm); err != nil {
			return data, query, err
		}
		query.After = nil
		data.Count, err = d.svc.DeviceTotal(r.Context(), v.Tenant, query)
		return data, query, err
	}
	ids, err := mdm.ParseDeviceIDs(r.PostForm["device"])
	if err != nil {
		return data, query, err
	}
	query = mdm.DeviceQuery{IDs: ids, Page: mdm.Page{Limit: mdm.MaxBulk}, Sort: mdm.DeviceSort{By: mdm.SortEmail, Asc: true}}
	if data.Devices, err = d.svc.DevicePage(r.Context(), v.Tenant, query); err != nil {
		return data, query, err
	}
	if len(data.Devices) == 0 {
		return data, query, fmt.Errorf("%w: none of the chosen devices", mdm.ErrNotFound)
	}
	found := make(map[string]bool, len(data.Devices))
	for _, dev := range data.Devices {
		found[dev.ID] = true
	}
	for _, id := range ids {
		if !found[id] {
			data.Missing = append(data.Missing, id)
		}
	}
	data.Count = int64(len(data.Devices))
	if k.Action == mdm.BulkMove {
		data.Policy, err = d.svc.WorkPolicy.WorkPolicy(r.Context(), v.Tenant, r.PostFormValue("policy"))
	}
	return data, query, err
}

// bulkProblem is the message for a device the action failed for: the domain's refusal,
// or for anything else a general one (logged), never the failure of the whole request.
func (d *Dashboard) bulkProblem(r *http.Request, err error) message {
	switch {
	case errors.Is(err, errNotInvited):
		return message{ID: err.Error()}
	case errors.Is(err, mdm.ErrNotFound):
		return message{ID: "devices.bulk_not_found"}
	case errors.Is(err, mdm.ErrConflict), errors.Is(err, mdm.ErrInvalid):
		return said(err)
	}
	d.cfg.Log.Error("bulk action on a device failed", "path", r.URL.Path, "error", err)
	return message{ID: "problem.internal"}
}

// Hidden are the form fields that carry the selection from the confirmation to the action.
func (b bulkData) Hidden() url.Values {
	if b.All {
		return b.Filters.Values()
	}
	v := url.Values{"device": nil}
	for _, d := range b.Devices {
		v["device"] = append(v["device"], d.ID)
	}
	v["device"] = append(v["device"], b.Missing...)
	if b.Kind.Action == mdm.BulkMove {
		v.Set("policy", b.Policy.ID)
	}
	return v
}
