package mdm

import (
	"fmt"
	"time"
)

// DeviceSortColumn is a column a device listing can be sorted by.
type DeviceSortColumn string

// The columns of the device list. Every sort ends with the device's ID, so that rows with
// the same value keep one order from page to page.
const (
	// SortCreated is the default: when the device was enrolled (invited), newest first.
	SortCreated    DeviceSortColumn = "created"
	SortName       DeviceSortColumn = "name" // the employee's name, ignoring case
	SortEmail      DeviceSortColumn = "email"
	SortPlatform   DeviceSortColumn = "platform"
	SortState      DeviceSortColumn = "state"
	SortCompliance DeviceSortColumn = "compliance"
	// SortContact is the last contact; devices never heard from count as the oldest.
	SortContact DeviceSortColumn = "contact"
	// SortPolicy is the work policy's name; devices without one come first.
	SortPolicy DeviceSortColumn = "policy"
)

// DeviceSortColumns are the columns in the order the device list shows them.
var DeviceSortColumns = []DeviceSortColumn{SortName, SortEmail, SortPlatform, SortState, SortCompliance, SortContact, SortPolicy, SortCreated}

// NeverContacted is the last contact a device that was never heard from sorts by.
var NeverContacted = time.Unix(0, 0).UTC()

// DeviceSort orders a device listing by one column, ascending or descending.
type DeviceSort struct {
	By  DeviceSortColumn
	Asc bool
}

// ParseDeviceSort reads a sort from a listing's query: the column ("" for the default) and
// the order, "asc" or "desc" ("" for the column's natural order: text ascending, times
// newest first).
func ParseDeviceSort(by, order string) (DeviceSort, error) {
	s := DeviceSort{By: DeviceSortColumn(by)}
	if by == "" {
		s.By = SortCreated
	}
	known := false
	for _, c := range DeviceSortColumns {
		known = known || c == s.By
	}
	if !known {
		return DeviceSort{}, fmt.Errorf("%w: sort %.40q: use name, email, platform, state, compliance, contact, policy or created", ErrInvalid, by)
	}
	switch order {
	case "":
		s.Asc = !s.By.Timely()
	case "asc", "desc":
		s.Asc = order == "asc"
	default:
		return DeviceSort{}, fmt.Errorf("%w: order %.40q: use asc or desc", ErrInvalid, order)
	}
	return s, nil
}

// Timely reports whether the column holds points in time (the cursor keeps them in At)
// rather than text (in Key).
func (c DeviceSortColumn) Timely() bool { return c == SortCreated || c == SortContact }

// Order is the sort's order as the query writes it.
func (s DeviceSort) Order() string {
	if s.Asc {
		return "asc"
	}
	return "desc"
}

// CursorAfter is the cursor of the page that follows the row d in a listing in this order.
func (s DeviceSort) CursorAfter(d DeviceListing) Cursor {
	c := Cursor{ID: d.ID, At: d.CreatedAt}
	switch s.By {
	case SortCreated, "":
	case SortContact:
		c.At = NeverContacted
		if d.LastContactAt != nil {
			c.At = *d.LastContactAt
		}
	default:
		c.At, c.Key = NeverContacted, d.SortKey
	}
	return c
}
