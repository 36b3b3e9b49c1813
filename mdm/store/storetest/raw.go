package storetest

import (
	"testing"

	"github.com/trennwand/trennwand/mdm/store"
)

// RawExec runs sql directly on the database, past every rule of the store, so that a test
// can act as an attacker with database access (and see what the database refuses).
func RawExec(s *store.Store, sql string, args ...any) error {
	return s.Tables().DB().Exec(sql, args...).Error
}

// Exec is RawExec for setting up what the domain would not (a device silent for weeks): a
// refusal fails the test.
func Exec(t testing.TB, s *store.Store, sql string, args ...any) {
	t.Helper()
	if err := RawExec(s, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// Count counts the rows of table that match where, as the database holds them.
func Count(t testing.TB, s *store.Store, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := s.Tables().DB().Table(table).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}
