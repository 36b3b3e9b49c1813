package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/mdm"
)

// DevicePage returns one page of the tenant's devices that match q, newest first.
func (s *Store) DevicePage(ctx context.Context, tenantID string, q mdm.DeviceQuery) ([]mdm.DeviceListing, error) {
	db := s.db.WithContext(ctx).Table("devices").
		Select("devices.*, employees.email AS employee_email, employees.name AS employee_name").
		Joins("JOIN employees ON employees.tenant_id = devices.tenant_id AND employees.id = devices.employee_id")
	narrow := false
	if q.Search != "" {
		ids, few, err := s.matchingEmployees(ctx, tenantID, q.Search)
		if err != nil {
			return nil, err
		}
		if narrow = few; narrow {
			// Few employees match: start from them and sort their devices. Written as an
			// expression, the tenant condition does not tempt the planner into walking the
			// whole listing in order instead.
			db = db.Where("devices.tenant_id || '' = ? AND employees.id IN ?", tenantID, ids)
		} else {
			db = s.searchEmployees(db, q.Search)
		}
	}
	if !narrow {
		db = db.Where("devices.tenant_id = ?", tenantID)
	}
	if q.Platform != "" {
		db = db.Where("devices.platform = ?", q.Platform)
	}
	if q.State != "" {
		db = db.Where("devices.state = ?", q.State)
	}
	if q.Compliance != "" {
		db = db.Where("devices.compliance = ?", q.Compliance)
	}
	if q.EmployeeID != "" {
		db = db.Where("devices.employee_id = ?", q.EmployeeID)
	}
	var rows []mdm.DeviceListing
	err := newestFirst(db, "devices", q.Page).Find(&rows).Error
	return rows, translate(err)
}

// EmployeePage returns one page of the tenant's employees, newest first.
func (s *Store) EmployeePage(ctx context.Context, tenantID string, q mdm.EmployeeQuery) ([]mdm.Employee, error) {
	db := s.db.WithContext(ctx).Table("employees").Where("employees.tenant_id = ?", tenantID)
	if q.Search != "" {
		db = s.searchEmployees(db, q.Search)
	}
	var rows []mdm.Employee
	err := newestFirst(db, "employees", q.Page).Find(&rows).Error
	return rows, translate(err)
}

// InvitationPage returns one page of the tenant's invitations, newest first.
func (s *Store) InvitationPage(ctx context.Context, tenantID string, q mdm.InvitationQuery) ([]mdm.InvitationListing, error) {
	db := s.db.WithContext(ctx).Table("invitations").
		Select("invitations.*, employees.email AS employee_email").
		Joins("JOIN employees ON employees.tenant_id = invitations.tenant_id AND employees.id = invitations.employee_id").
		Where("invitations.tenant_id = ?", tenantID)
	if q.EmployeeID != "" {
		db = db.Where("invitations.employee_id = ?", q.EmployeeID)
	}
	var rows []mdm.InvitationListing
	err := newestFirst(db, "invitations", q.Page).Find(&rows).Error
	return rows, translate(err)
}

// DeviceCounts counts the tenant's devices by platform, state and compliance.
func (s *Store) DeviceCounts(ctx context.Context, tenantID string) ([]mdm.DeviceCount, error) {
	var rows []mdm.DeviceCount
	err := s.scoped(ctx, tenantID).Table("devices").
		Select("platform, state, compliance, COUNT(*) AS count").
		Group("platform, state, compliance").Order("platform, state, compliance").Scan(&rows).Error
	return rows, translate(err)
}

// narrowSearch is how many employees a search may match and still be answered from the
// list of their IDs. A search that matches more is answered by walking the listing in
// order, which finds a page of matches quickly precisely because there are many.
const narrowSearch = 200

// matchingEmployees returns the IDs of the tenant's employees that a search matches, and
// whether they are few enough (narrowSearch) to look their devices up by ID.
func (s *Store) matchingEmployees(ctx context.Context, tenantID, prefix string) ([]string, bool, error) {
	var ids []string
	err := s.searchEmployees(s.scoped(ctx, tenantID).Table("employees"), prefix).
		Limit(narrowSearch+1).Pluck("employees.id", &ids).Error
	if err != nil {
		return nil, false, translate(err)
	}
	return ids, len(ids) <= narrowSearch, nil
}

// searchEmployees narrows a query that has the employees table to those whose e-mail
// address or lower-cased name starts with the (lower-case) prefix. A prefix is a range of
// strings, which the indexes of migration 00021 answer without a scan.
func (s *Store) searchEmployees(db *gorm.DB, prefix string) *gorm.DB {
	collate := ""
	if s.postgres {
		collate = ` COLLATE "C"`
	}
	upper := prefix + "\U0010FFFF"
	return db.Where(fmt.Sprintf("((employees.email%[1]s >= ? AND employees.email%[1]s < ?) OR (lower(employees.name)%[1]s >= ? AND lower(employees.name)%[1]s < ?))", collate),
		prefix, upper, prefix, upper)
}

// newestFirst orders a listing of table by creation time and ID, newest first, and keeps
// the page after the cursor: the keyset that the indexes of migration 00021 follow.
func newestFirst(db *gorm.DB, table string, p mdm.Page) *gorm.DB {
	if p.After != nil {
		// A row-value comparison, which both databases answer from the index.
		db = db.Where(fmt.Sprintf("(%[1]s.created_at, %[1]s.id) < (?, ?)", table), p.After.At, p.After.ID)
	}
	return db.Order(table + ".created_at DESC").Order(table + ".id DESC").Limit(p.Limit)
}
