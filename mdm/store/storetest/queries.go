package storetest

import (
	"sync/atomic"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/mdm/store"
)

// CountQueries counts every statement the store sends from now on (reads, writes and
// raw statements, in transactions or not), for benchmarks that report queries per run.
func CountQueries(s *store.Store) *atomic.Int64 {
	n := new(atomic.Int64)
	count := func(*gorm.DB) { n.Add(1) }
	cb := s.Tables().DB().Callback()
	_ = cb.Query().After("gorm:query").Register("storetest:count_query", count)
	_ = cb.Create().After("gorm:create").Register("storetest:count_create", count)
	_ = cb.Update().After("gorm:update").Register("storetest:count_update", count)
	_ = cb.Delete().After("gorm:delete").Register("storetest:count_delete", count)
	_ = cb.Row().After("gorm:row").Register("storetest:count_row", count)
	_ = cb.Raw().After("gorm:raw").Register("storetest:count_raw", count)
	return n
}
