package store

// RawExec runs sql directly on the database, past every rule of the store, so that tests
// can act as an attacker with database access.
func RawExec(s *Store, sql string, args ...any) error {
	return s.db.Exec(sql, args...).Error
}

// RawCount counts the rows of table that match where.
func RawCount(s *Store, table, where string, args ...any) int64 {
	var n int64
	s.db.Table(table).Where(where, args...).Count(&n)
	return n
}
