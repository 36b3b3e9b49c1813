package store_test

import (
	"database/sql"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// BenchmarkKeptMemory fills the three memories of the Idle check-in to their size
// (KeptPhones each: devices by token hash, revocations by serial, enrolment states by ID) with values
// as large as real ones, and reports the heap they hold: the most a server's memory grows
// by them, however many phones check in.
//
//	go test -run '^$' -bench KeptMemory -benchtime 1x ./mdm/store/
func BenchmarkKeptMemory(b *testing.B) {
	const size = store.KeptPhones
	s := storetest.Open(b, storetest.SQLite)
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		devices := store.NewKeptBy[string](s.Changes(), size, "device", func(d mdm.Device) string { return d.ID }, nil)
		serials := store.NewKept[bool](s.Changes(), size, "serial", nil)
		states := store.NewKept[enrolmentState](s.Changes(), size, "enrolment", nil)
		fill(b, s, devices, serials, states, size)
		runtime.GC()
		runtime.ReadMemStats(&after)
		held := float64(after.HeapAlloc - before.HeapAlloc)
		b.ReportMetric(held/(1<<20), "MiB")
		b.ReportMetric(held/(3*size), "B/entry")
		runtime.KeepAlive(devices)
		runtime.KeepAlive(serials)
		runtime.KeepAlive(states)
	}
}

// enrolmentState is as large as what ios/storage keeps of an enrolment.
type enrolmentState struct {
	cert     sql.NullString
	lastSeen sql.NullTime
	queued   bool
}

// fill loads n values into each memory while the feed is fresh.
func fill(b *testing.B, s *store.Store, devices *store.Kept[string, mdm.Device], serials *store.Kept[string, bool],
	states *store.Kept[string, enrolmentState], n int) {
	b.Helper()
	follow(b, s, withoutNotify)
	now := time.Now()
	policy := mdm.NewID()
	for i := range n {
		d := mdm.Device{ID: mdm.NewID(), TenantID: mdm.NewID(), EmployeeID: mdm.NewID(), WorkPolicyID: &policy,
			Platform: mdm.PlatformIOS, PlatformID: fmt.Sprintf("%032X", i), State: mdm.DeviceActive, OSVersion: "18.1.1",
			Compliance: mdm.ComplianceCompliant, ReportedCompliance: mdm.ComplianceCompliant, LastContactAt: &now, CreatedAt: now, UpdatedAt: now}
		token := fmt.Sprintf("%064x", i)
		_, _ = devices.Load(token, func() (mdm.Device, error) { return d, nil })
		_, _ = serials.Load(fmt.Sprintf("%038d", i), func() (bool, error) { return false, nil })
		st := enrolmentState{cert: sql.NullString{String: fmt.Sprintf("%064x", i), Valid: true}, lastSeen: sql.NullTime{Time: now, Valid: true}, queued: false}
		_, _ = states.Load(d.PlatformID, func() (enrolmentState, error) { return st, nil })
	}
	if devices.Len() != n || serials.Len() != n || states.Len() != n {
		b.Fatalf("kept %d, %d, %d values, want %d each", devices.Len(), serials.Len(), states.Len(), n)
	}
}
