package store

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/trennwand/trennwand/mdm"
)

// DevicePage returns one page of the tenant's devices that match q, in q's order: the
// sort column, then the device's ID in the same direction, after the cursor (keyset
// pagination, see sortColumn).
func (dv Devices) DevicePage(ctx context.Context, tenantID string, q mdm.DeviceQuery) ([]mdm.DeviceListing, error) {
	col := sortColumns[cmp.Or(q.Sort.By, mdm.SortCreated)]
	if col.expr == "" {
		return nil, fmt.Errorf("%w: sort %q", mdm.ErrInvalid, q.Sort.By)
	}
	listing := dv.s.db.WithContext(ctx).
		Table("devices JOIN employees ON employees.tenant_id = devices.tenant_id AND employees.id = devices.employee_id"+
			" LEFT JOIN work_policies ON work_policies.tenant_id = devices.tenant_id AND work_policies.id = devices.work_policy_id").
		Select("devices.*, employees.email AS employee_email, employees.name AS employee_name, "+
			"COALESCE(work_policies.name, '') AS policy_name, "+col.key+" AS sort_key").
		Where("devices.tenant_id = ?", tenantID)
	listing = dv.matching(listing, q)
	var rows []mdm.DeviceListing
	err := inOrder(listing, col, q.Sort.Asc, q.Page).Find(&rows).Error
	return rows, translate(err)
}

// sortColumn is how the database sorts by a column of the device list: the expression
// (never NULL, so that a row value compares it), the variables it takes and, for a
// column of text, the expression the cursor keeps (sort_key; "”" for the columns of
// time, whose value the cursor takes from the row itself).
type sortColumn struct {
	expr   string
	vars   []any
	key    string
	timely bool
}

var sortColumns = map[mdm.DeviceSortColumn]sortColumn{
	mdm.SortCreated:    {expr: "devices.created_at", key: "''", timely: true},
	mdm.SortContact:    {expr: "COALESCE(devices.last_contact_at, ?)", vars: []any{mdm.NeverContacted}, key: "''", timely: true},
	mdm.SortName:       text("lower(employees.name)"),
	mdm.SortEmail:      text("employees.email"),
	mdm.SortPlatform:   text("devices.platform"),
	mdm.SortState:      text("devices.state"),
	mdm.SortCompliance: text("COALESCE(devices.verdict, '')"),
	mdm.SortPolicy:     text("COALESCE(work_policies.name, '')"),
}

func text(expr string) sortColumn { return sortColumn{expr: expr, key: expr} }

// inOrder sorts a device listing by the column and then the device's ID, both ascending
// or both descending, and keeps the page after the cursor: a row-value comparison, which
// both databases answer from an index where one leads with the column.
func inOrder(db *gorm.DB, col sortColumn, asc bool, p mdm.Page) *gorm.DB {
	dir, after := "DESC", "<"
	if asc {
		dir, after = "ASC", ">"
	}
	if c := p.After; c != nil {
		var at any = c.Key
		if col.timely {
			at = c.At
		}
		db = db.Where(fmt.Sprintf("(%s, devices.id) %s (?, ?)", col.expr, after), append(append([]any{}, col.vars...), at, c.ID)...)
	}
	return db.Clauses(clause.OrderBy{Expression: clause.Expr{
		SQL: fmt.Sprintf("%s %s, devices.id %s", col.expr, dir, dir), Vars: col.vars, WithoutParentheses: true}}).
		Limit(p.Limit)
}

// DeviceTotal counts the tenant's devices that match q's filters and search.
func (dv Devices) DeviceTotal(ctx context.Context, tenantID string, q mdm.DeviceQuery) (int64, error) {
	var n int64
	err := dv.matching(dv.s.db.WithContext(ctx).
		Table("devices JOIN employees ON employees.tenant_id = devices.tenant_id AND employees.id = devices.employee_id").
		Where("devices.tenant_id = ?", tenantID), q).Count(&n).Error
	return n, translate(err)
}

// matching narrows a query that has the devices and employees tables to the query's
// filters, selection and search.
func (dv Devices) matching(db *gorm.DB, q mdm.DeviceQuery) *gorm.DB {
	db = filterDevices(db, "devices.", q.DeviceFilter)
	if q.Compliance != "" {
		db = db.Where("devices.verdict = ?", q.Compliance)
	}
	if len(q.IDs) > 0 {
		db = db.Where("devices.id IN ?", q.IDs)
	}
	if q.Search != "" {
		db = dv.searchEmployees(db, q.Search)
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

// minSubstring is the shortest term searched for anywhere in an address or name: a
// trigram. A shorter one matches the start only.
const minSubstring = 3

// searchEmployees narrows a query that has the employees table to those whose e-mail
// address or name contains the (lower-case) term, ignoring case and accents, from the
// trigram index of migration 00098. A term too short for trigrams matches the start of
// the address or lower-cased name: a range of strings, which the indexes of migration
// 00082 answer without a scan.
func (dv Devices) searchEmployees(db *gorm.DB, term string) *gorm.DB {
	switch {
	case utf8.RuneCountInString(term) >= minSubstring && dv.s.postgres:
		return db.Where(`trennwand_search_fold(employees.email || ' ' || employees.name) LIKE '%' || trennwand_search_fold(?) || '%'`,
			likeEscaper.Replace(term))
	case utf8.RuneCountInString(term) >= minSubstring:
		// A phrase of the trigram tokenizer matches where its trigrams follow each other:
		// anywhere in the text.
		return db.Where("employees.id IN (SELECT docs.employee_id FROM employee_search JOIN employee_search_docs docs ON docs.doc = employee_search.rowid WHERE employee_search MATCH ?)",
			`"`+strings.ReplaceAll(term, `"`, `""`)+`"`)
	}
	collate := ""
	if dv.s.postgres {
		collate = ` COLLATE "C"`
	}
	upper := term + "\U0010FFFF"
	return db.Where(fmt.Sprintf("((employees.email%[1]s >= ? AND employees.email%[1]s < ?) OR (lower(employees.name)%[1]s >= ? AND lower(employees.name)%[1]s < ?))", collate),
		term, upper, term, upper)
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
