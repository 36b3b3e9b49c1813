package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/mdm"
)

// DevicePage returns one page of the tenant's devices that match q, in q's order: the
// sort column, then the device's ID in the same direction (for the employee's name and
// address the employee's ID comes between), after the cursor (keyset pagination, see
// sortColumn).
func (dv Devices) DevicePage(ctx context.Context, tenantID string, q mdm.DeviceQuery) ([]mdm.DeviceListing, error) {
	col, ok := dv.sortColumn(cmp.Or(q.Sort.By, mdm.SortCreated))
	if !ok {
		return nil, fmt.Errorf("%w: sort %q", mdm.ErrInvalid, q.Sort.By)
	}
	var err error
	// The walk starts from the employees when it follows their index (a sort by their
	// name or address) or when a search matches few of them; otherwise from the devices'
	// index of the sort. SQLite keeps CROSS JOIN's tables in the order written; for
	// PostgreSQL it is an ordinary join.
	from := "devices JOIN employees ON employees.tenant_id = devices.tenant_id AND employees.id = devices.employee_id"
	few := false
	if q.Search != "" && !dv.s.postgres {
		if few, err = dv.fewMatches(ctx, q.Search); err != nil {
			return nil, err
		}
	}
	if col.byEmployee || few {
		from = "employees CROSS JOIN devices"
	}
	listing := dv.s.db.WithContext(ctx).
		Table(from+" LEFT JOIN work_policies ON work_policies.tenant_id = devices.tenant_id AND work_policies.id = devices.work_policy_id").
		Select("devices.*, employees.email AS employee_email, employees.name AS employee_name, "+
			"COALESCE(work_policies.name, '') AS policy_name, "+col.key+" AS sort_key").
		Where("devices.tenant_id = ? AND employees.tenant_id = ?", tenantID, tenantID).
		Where("employees.id = devices.employee_id")
	listing, err = inOrder(dv.matching(listing, q, !few), col, q.Sort.Asc, q.Page)
	if err != nil {
		return nil, err
	}
	var rows []mdm.DeviceListing
	err = listing.Find(&rows).Error
	return rows, translate(err)
}

// sortColumn is how the database sorts by a column of the device list: the expression
// (never NULL, so that a row value compares it), for the employee's name and address the
// employee's ID as the middle key (so that the walk follows the indexes of migration
// 00082), and the expression the cursor keeps as its Key ("”" for the columns of time,
// whose value the cursor takes from the row itself; the employee's ID and then the text
// for the employee's columns). The devices' own columns have the indexes of migration
// 00099.
type sortColumn struct {
	expr, key  string
	byEmployee bool
	timely     bool
}

func (dv Devices) sortColumn(by mdm.DeviceSortColumn) (sortColumn, bool) {
	collate, never := "", "'1970-01-01 00:00:00+00:00'"
	if dv.s.postgres {
		collate, never = ` COLLATE "C"`, "TIMESTAMPTZ '1970-01-01 00:00:00+00'"
	}
	employee := func(expr string) sortColumn {
		return sortColumn{expr: expr + collate, key: "employees.id || " + expr, byEmployee: true}
	}
	text := func(expr string) sortColumn { return sortColumn{expr: expr, key: expr} }
	col, ok := map[mdm.DeviceSortColumn]sortColumn{
		mdm.SortCreated:    {expr: "devices.created_at", key: "''", timely: true},
		mdm.SortContact:    {expr: "COALESCE(devices.last_contact_at, " + never + ")", key: "''", timely: true},
		mdm.SortName:       employee("lower(employees.name)"),
		mdm.SortEmail:      employee("employees.email"),
		mdm.SortPlatform:   text("devices.platform"),
		mdm.SortState:      text("devices.state"),
		mdm.SortCompliance: text("devices.verdict"),
		mdm.SortPolicy:     text("COALESCE(work_policies.name, '')"),
	}[by]
	return col, ok
}

// idLength is the length of an ID (mdm.NewID), which starts the cursor's Key of a listing
// sorted by an employee's column.
const idLength = 26

// inOrder sorts a device listing by the column and then the device's ID, all ascending or
// all descending, and keeps the page after the cursor: a row-value comparison, which both
// databases answer from an index that leads with the column.
func inOrder(db *gorm.DB, col sortColumn, asc bool, p mdm.Page) (*gorm.DB, error) {
	dir, after := "DESC", "<"
	if asc {
		dir, after = "ASC", ">"
	}
	keys := []string{col.expr, "devices.id"}
	if col.byEmployee {
		keys = []string{col.expr, "employees.id", "devices.id"}
	}
	if c := p.After; c != nil {
		var vals []any
		switch {
		case col.timely:
			vals = []any{c.At, c.ID}
		case col.byEmployee:
			if len(c.Key) < idLength {
				return nil, fmt.Errorf("%w: the cursor is not one of this sort", mdm.ErrInvalid)
			}
			vals = []any{c.Key[idLength:], c.Key[:idLength], c.ID}
		default:
			vals = []any{c.Key, c.ID}
		}
		db = db.Where(fmt.Sprintf("(%s) %s (?%s)", strings.Join(keys, ", "), after, strings.Repeat(", ?", len(vals)-1)), vals...)
	}
	order := slices.Clone(keys)
	if col.byEmployee {
		// The same order as the device's ID, written so that SQLite does not take the
		// devices' primary key for it and then read every device for each employee
		// instead of the employee's devices from their index.
		order[2] = "devices.id || ''"
	}
	return db.Order(strings.Join(order, " "+dir+", ") + " " + dir).Limit(p.Limit), nil
}

// DeviceTotal counts the tenant's devices that match q's filters and search.
func (dv Devices) DeviceTotal(ctx context.Context, tenantID string, q mdm.DeviceQuery) (int64, error) {
	var n int64
	err := dv.matching(dv.s.db.WithContext(ctx).
		Table("devices JOIN employees ON employees.tenant_id = devices.tenant_id AND employees.id = devices.employee_id").
		Where("devices.tenant_id = ?", tenantID), q, false).Count(&n).Error
	return n, translate(err)
}

// matching narrows a query that has the devices and employees tables to the query's
// filters, selection and search; broad says the search matches many employees and is
// checked row by row as the walk comes to them (searchEmployees).
func (dv Devices) matching(db *gorm.DB, q mdm.DeviceQuery, broad bool) *gorm.DB {
	db = filterDevices(db, "devices.", q.DeviceFilter)
	if q.Compliance != "" {
		db = db.Where("devices.verdict = ?", q.Compliance)
	}
	if len(q.IDs) > 0 {
		db = db.Where("devices.id IN ?", q.IDs)
	}
	if q.Search != "" {
		db = dv.searchEmployees(db, q.Search, broad)
	}
	return db
}

// EmployeePage returns one page of the tenant's employees, newest first.
func (dv Devices) EmployeePage(ctx context.Context, tenantID string, q mdm.EmployeeQuery) ([]mdm.Employee, error) {
	db := dv.s.db.WithContext(ctx).Table("employees").Where("employees.tenant_id = ?", tenantID)
	if q.Search != "" {
		broad := false
		if !dv.s.postgres {
			few, err := dv.fewMatches(ctx, q.Search)
			if err != nil {
				return nil, err
			}
			broad = !few
		}
		db = dv.searchEmployees(db, q.Search, broad)
	}
	var rows []mdm.Employee
	err := newestFirst(db, "employees", q.Page).Find(&rows).Error
	return rows, translate(err)
}

// trigramPhrase is the FTS5 query of the term as one phrase, which the trigram tokenizer
// matches wherever the term's trigrams follow each other: anywhere in the text.
func trigramPhrase(term string) string { return `"` + strings.ReplaceAll(term, `"`, `""`) + `"` }

// narrowSearch is how many employees a search may match and still start from them (a
// variable only so that a test can have every search taken as broad).
var narrowSearch = 2000

// fewMatches reports whether a search matches at most narrowSearch employees (of all
// tenants: an estimate that counts no further than that), on SQLite. A term long enough
// for trigrams is counted in the index alone, which stops at the limit; through the
// employees, SQLite would first list every match (the cost broad searches avoid).
func (dv Devices) fewMatches(ctx context.Context, term string) (bool, error) {
	var n int64
	sub := dv.searchEmployees(dv.s.db.WithContext(ctx).Table("employees").Select("1"), term, false).Limit(narrowSearch + 1)
	if utf8.RuneCountInString(term) >= minSubstring {
		sub = dv.s.db.WithContext(ctx).Table("employee_search").Select("1").
			Where("employee_search MATCH ?", trigramPhrase(term)).Limit(narrowSearch + 1)
	}
	if err := dv.s.db.WithContext(ctx).Table("(?) AS matches", sub).Count(&n).Error; err != nil {
		return false, translate(err)
	}
	return n <= int64(narrowSearch), nil
}

// minSubstring is the shortest term searched for anywhere in an address or name: a
// trigram. A shorter one matches the start only.
const minSubstring = 3

// searchEmployees narrows a query that has the employees table to those whose e-mail
// address or name contains the (lower-case) term, ignoring case and accents, from the
// trigram indexes of migrations 00098 (SQLite) and 00110 (PostgreSQL). A term too short for trigrams matches the start of
// the address or lower-cased name: a range of strings, which the indexes of migration
// 00082 answer without a scan.
//
// On SQLite, a broad term (one that matches more than narrowSearch employees) is compared
// with each employee the walk reaches instead, folded the way PostgreSQL folds it: the
// page fills after a few rows. The trigram index would have SQLite build the list of
// nearly every employee before the first row (269 ms for "erson" over 100,000).
func (dv Devices) searchEmployees(db *gorm.DB, term string, broad bool) *gorm.DB {
	switch {
	case utf8.RuneCountInString(term) >= minSubstring && dv.s.postgres:
		// search_text is the folded address and name, kept (migration 00110).
		return db.Where(`employees.search_text LIKE '%' || trennwand_search_fold(?) || '%'`, likeEscaper.Replace(term))
	case utf8.RuneCountInString(term) >= minSubstring && broad:
		return db.Where(`trennwand_search_fold(employees.email || ' ' || employees.name) LIKE '%' || trennwand_search_fold(?) || '%' ESCAPE '\'`,
			likeEscaper.Replace(term))
	case utf8.RuneCountInString(term) >= minSubstring:
		return db.Where("employees.id IN (SELECT docs.employee_id FROM employee_search JOIN employee_search_docs docs ON docs.doc = employee_search.rowid WHERE employee_search MATCH ?)",
			trigramPhrase(term))
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
