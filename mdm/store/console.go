package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/mdm"
)

// DevicePage returns one page of the tenant's devices that match q, newest first.
//
// A search starts from the employees it matches when they are few (narrowSearch): the IDs
// of the page's devices are then sorted from indexes alone (employees CROSS JOIN devices;
// in SQLite CROSS JOIN keeps the tables in the order written, for PostgreSQL it is an
// ordinary join), and only those rows are read. A broader search walks
// the listing in order and finds a page of matches quickly precisely because there are
// many.
func (dv Devices) DevicePage(ctx context.Context, tenantID string, q mdm.DeviceQuery) ([]mdm.DeviceListing, error) {
	listing := dv.s.db.WithContext(ctx).
		Table("devices JOIN employees ON employees.tenant_id = devices.tenant_id AND employees.id = devices.employee_id").
		Select("devices.*, employees.email AS employee_email, employees.name AS employee_name").
		Where("devices.tenant_id = ?", tenantID)
	var rows []mdm.DeviceListing
	if q.Search == "" {
		err := newestFirst(matching(listing, q), "devices", q.Page).Find(&rows).Error
		return rows, translate(err)
	}
	few, err := dv.fewMatches(ctx, tenantID, q.Search)
	if err != nil {
		return nil, err
	}
	if !few {
		err := newestFirst(matching(dv.searchEmployees(listing, q.Search), q), "devices", q.Page).Find(&rows).Error
		return rows, translate(err)
	}
	ids := dv.s.db.WithContext(ctx).Table("employees CROSS JOIN devices").Select("devices.id").
		Where("devices.tenant_id = employees.tenant_id AND devices.employee_id = employees.id").
		Where("employees.tenant_id = ? AND devices.tenant_id = ?", tenantID, tenantID)
	ids = newestFirst(matching(dv.searchEmployees(ids, q.Search), q), "devices", q.Page)
	// The page's IDs come first (CROSS JOIN again), so that each row is read by its key
	// rather than the listing walked in order for them.
	err = dv.s.db.WithContext(ctx).
		Table("(?) AS page CROSS JOIN devices JOIN employees ON employees.tenant_id = devices.tenant_id AND employees.id = devices.employee_id", ids).
		Select("devices.*, employees.email AS employee_email, employees.name AS employee_name").
		Where("devices.tenant_id = ? AND devices.id = page.id", tenantID).
		Order("devices.created_at DESC").Order("devices.id DESC").Find(&rows).Error
	return rows, translate(err)
}

// matching narrows a query that has the devices table to the query's filters.
func matching(db *gorm.DB, q mdm.DeviceQuery) *gorm.DB {
	db = filterDevices(db, "devices.", q.DeviceFilter)
	if q.Compliance != "" {
		db = db.Where("devices.verdict = ?", q.Compliance)
	}
	return db
}

// EmployeePage returns one page of the tenant's employees, newest first.
func (dv Devices) EmployeePage(ctx context.Context, tenantID string, q mdm.EmployeeQuery) ([]mdm.Employee, error) {
	db := dv.s.db.WithContext(ctx).Table("employees").Where("employees.tenant_id = ?", tenantID)
	if q.Search != "" {
		db = dv.searchEmployees(db, q.Search)
	}
	var rows []mdm.Employee
	err := newestFirst(db, "employees", q.Page).Find(&rows).Error
	return rows, translate(err)
}

// narrowSearch is how many employees a search may match and still start from them.
const narrowSearch = 2000

// fewMatches reports whether a search matches at most narrowSearch of the tenant's
// employees, counting no further than that.
func (dv Devices) fewMatches(ctx context.Context, tenantID, prefix string) (bool, error) {
	var n int64
	sub := dv.searchEmployees(dv.s.scoped(ctx, tenantID).Table("employees").Select("1"), prefix).Limit(narrowSearch + 1)
	if err := dv.s.db.WithContext(ctx).Table("(?) AS matches", sub).Count(&n).Error; err != nil {
		return false, translate(err)
	}
	return n <= narrowSearch, nil
}

// searchEmployees narrows a query that has the employees table to those whose e-mail
// address or lower-cased name starts with the (lower-case) prefix. A prefix is a range of
// strings, which the indexes of migration 00021 answer without a scan.
func (dv Devices) searchEmployees(db *gorm.DB, prefix string) *gorm.DB {
	collate := ""
	if dv.s.postgres {
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
