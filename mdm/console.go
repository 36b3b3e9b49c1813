package mdm

import (
	"context"
	"fmt"
	"strings"
)

// DeviceQuery selects devices for a listing.
type DeviceQuery struct {
	DeviceFilter
	Compliance Compliance
	// Search matches devices whose employee's e-mail address or name contains it,
	// ignoring case and accents; a term of one or two characters matches the start.
	Search string
	// Sort orders the listing; the zero value is newest first.
	Sort DeviceSort
	// IDs, when given, narrow the listing to these devices (a bulk action's selection).
	IDs []string
	Page
}

// DeviceListing is a device as a listing shows it: with whose it is and the name of its
// work policy.
type DeviceListing struct {
	Device
	EmployeeEmail string
	EmployeeName  string
	PolicyName    string
	// SortKey is the row's value in a listing sorted by a column of text, as the database
	// compares it: what the next page's cursor keeps.
	SortKey string `gorm:"->"`
}

// EmployeeQuery selects employees for a listing.
type EmployeeQuery struct {
	Search string // part of the e-mail address or name, as DeviceQuery.Search
	Page
}

// DeviceCount is how many of a tenant's devices share a platform, state and compliance.
type DeviceCount struct {
	Platform   Platform
	State      DeviceState
	Compliance Compliance
	Count      int64
}

// MaxSearchLength bounds a search term.
const MaxSearchLength = 200

// normalizeSearch trims and lower-cases a search term and checks its length.
func normalizeSearch(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) > MaxSearchLength {
		return "", fmt.Errorf("%w: a search term has at most %d characters", ErrInvalid, MaxSearchLength)
	}
	return s, nil
}

// DevicePage lists one page of the tenant's devices that match q in its order. The cursor
// of the next page is q.Sort.CursorAfter the last device; fewer rows than the limit mean
// the end.
func (s *Service) DevicePage(ctx context.Context, t Tenant, q DeviceQuery) ([]DeviceListing, error) {
	var err error
	if q.Search, err = normalizeSearch(q.Search); err != nil {
		return nil, err
	}
	q.Page = q.Page.Normalized()
	if q.Sort.By == "" {
		q.Sort.By = SortCreated
	}
	ds, err := s.store.Devices().DevicePage(ctx, t.ID, q)
	if err != nil {
		return nil, fmt.Errorf("list devices of %s: %w", t.Name, err)
	}
	return ds, nil
}

// EmployeePage lists one page of the tenant's employees, newest first.
func (s *Service) EmployeePage(ctx context.Context, t Tenant, q EmployeeQuery) ([]Employee, error) {
	var err error
	if q.Search, err = normalizeSearch(q.Search); err != nil {
		return nil, err
	}
	q.Page = q.Page.Normalized()
	es, err := s.store.Devices().EmployeePage(ctx, t.ID, q)
	if err != nil {
		return nil, fmt.Errorf("list employees of %s: %w", t.Name, err)
	}
	return es, nil
}

// DeviceCounts counts the tenant's devices by platform, state and compliance.
func (s *Service) DeviceCounts(ctx context.Context, t Tenant) ([]DeviceCount, error) {
	cs, err := s.store.Devices().DeviceCounts(ctx, t.ID)
	if err != nil {
		return nil, fmt.Errorf("count devices of %s: %w", t.Name, err)
	}
	return cs, nil
}

// TenantByID returns the tenant with the ID.
func (s *Service) TenantByID(ctx context.Context, id string) (Tenant, error) {
	t, err := s.store.Tenants().TenantByID(ctx, id)
	if err != nil {
		return Tenant{}, fmt.Errorf("tenant %s: %w", id, err)
	}
	return t, nil
}
