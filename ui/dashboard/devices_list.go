package dashboard

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/trennwand/trennwand/mdm"
)

// deviceFilters is the device list's query as the user chose it: the search form, the
// sort and the position. Everything is in the page's address, so that a list can be
// bookmarked, shared and reloaded, and it all works without JavaScript.
type deviceFilters struct {
	Q, Platform, State, Compliance string
	// Ownership is the ownership the list shows, as mdm.ParseOwnership names it; empty
	// for every device.
	Ownership string
	Sort      mdm.DeviceSort
	After     string
}

// parseDeviceList reads the device list's query from a page's address into the filters
// and the listing they ask for; anything malformed is refused with mdm.ErrInvalid.
func parseDeviceList(q url.Values) (deviceFilters, mdm.DeviceQuery, error) {
	f := deviceFilters{Q: q.Get("q"), Platform: q.Get("platform"), State: q.Get("state"), Compliance: q.Get("compliance"),
		After: q.Get("after")}
	query := mdm.DeviceQuery{Search: f.Q, Page: mdm.Page{Limit: mdm.DefaultPageSize}}
	var err error
	if f.Platform != "" {
		if query.Platform, err = mdm.ParsePlatform(f.Platform); err != nil {
			return f, query, err
		}
	}
	if f.State != "" {
		if query.State, err = mdm.ParseDeviceState(f.State); err != nil {
			return f, query, err
		}
	}
	// The JSON API's filter (?ownership=) read the same way; an empty value is no filter,
	// not the employee's own phones.
	if o := strings.TrimSpace(q.Get("ownership")); o != "" {
		if query.Ownership, err = mdm.ParseOwnership(o); err != nil {
			return f, query, err
		}
		f.Ownership = string(query.Ownership)
	}
	switch c := mdm.Compliance(f.Compliance); c {
	case "", mdm.ComplianceCompliant, mdm.ComplianceInGrace, mdm.ComplianceNonCompliant, mdm.ComplianceUnknown:
		query.Compliance = c
	default:
		return f, query, fmt.Errorf("%w: compliance %.40q", mdm.ErrInvalid, f.Compliance)
	}
	if f.Sort, err = mdm.ParseDeviceSort(q.Get("sort"), q.Get("order")); err != nil {
		return f, query, err
	}
	query.Sort = f.Sort
	if query.After, err = mdm.ParseCursor(f.After); err != nil {
		return f, query, err
	}
	return f, query, nil
}

// Values is the query of the list's first page with these filters and sort.
func (f deviceFilters) Values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"q": f.Q, "platform": f.Platform, "state": f.State, "compliance": f.Compliance, "ownership": f.Ownership} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.Sort.By != mdm.SortCreated || f.Sort.Asc {
		v.Set("sort", string(f.Sort.By))
		v.Set("order", f.Sort.Order())
	}
	return v
}

// Filtered reports whether anything narrows the list.
func (f deviceFilters) Filtered() bool {
	return f.Q != "" || f.Platform != "" || f.State != "" || f.Compliance != "" || f.Ownership != ""
}

// SortLink is the address of the list sorted by the column: the other way round when it
// is sorted by it already, else in the column's natural order.
func (f deviceFilters) SortLink(col mdm.DeviceSortColumn) string {
	g := f
	g.Sort = mdm.DeviceSort{By: col, Asc: !col.Timely()}
	if f.Sort.By == col {
		g.Sort.Asc = !f.Sort.Asc
	}
	return listURL(g.Values())
}

// AriaSort is the column header's aria-sort: how the list is sorted by the column, if at all.
func (f deviceFilters) AriaSort(col mdm.DeviceSortColumn) string {
	switch {
	case f.Sort.By != col:
		return ""
	case f.Sort.Asc:
		return "ascending"
	}
	return "descending"
}

func listURL(v url.Values) string {
	if len(v) == 0 {
		return Prefix + "/devices"
	}
	return Prefix + "/devices?" + v.Encode()
}

// devicesData is what the device list shows.
type devicesData struct {
	Filters deviceFilters
	Devices []mdm.DeviceListing
	Next    string // the link to the next page, empty on the last
	// Policies are the tenant's work policies, offered for a move of the selection to
	// those who may move devices.
	Policies []mdm.WorkPolicy
}

// devices lists one page of devices, filtered, searched and sorted as the address says.
func (d *Dashboard) devices(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	f, query, err := parseDeviceList(r.URL.Query())
	if err != nil {
		// A hand-made or outdated address: say so in the reader's language, with a way back.
		d.Problem(w, r, http.StatusBadRequest, "devices.error.query")
		return
	}
	ds, err := d.svc.DevicePage(r.Context(), v.Tenant, query)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	data := devicesData{Filters: f, Devices: ds}
	if len(ds) == query.Limit {
		next := f.Values()
		next.Set("after", query.Sort.CursorAfter(ds[len(ds)-1]).String())
		data.Next = listURL(next)
	}
	if v.Principal.Can(mdm.PermPoliciesWrite) {
		if data.Policies, err = d.svc.WorkPolicy.WorkPolicies(r.Context(), v.Tenant); err != nil {
			d.fail(w, r, err)
			return
		}
	}
	d.show(w, r, "devices.html", "devices.title", page{Data: data, Flash: flash(r)})
}
