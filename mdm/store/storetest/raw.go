package storetest

import "github.com/trennwand/trennwand/mdm/store"

// RawExec runs sql directly on the database, past every rule of the store, so that the
// tests of a sub-domain can act as an attacker with database access.
func RawExec(s *store.Store, sql string, args ...any) error {
	return s.Tables().DB().Exec(sql, args...).Error
}

// RawCount counts the rows of table that match where, as the database holds them.
func RawCount(s *store.Store, table, where string, args ...any) int64 {
	var n int64
	s.Tables().DB().Table(table).Where(where, args...).Count(&n)
	return n
}
