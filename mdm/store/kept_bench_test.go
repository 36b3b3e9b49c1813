package store_test

import (
	"crypto/sha256"
	"database/sql"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// BenchmarkKeptMemory fills the three memories of the Idle check-in to their size
// (KeptPhones each: devices by token hash, revocations by serial, enrolment states by ID) with values
// as large as real ones, and reports the heap each holds: the most a server's memory grows
// by them, however many phones check in.
//
//	go test -run '^$' -bench KeptMemory -benchtime 1x ./mdm/store/
func BenchmarkKeptMemory(b *testing.B) {
	const size = store.KeptPhones
	s := storetest.Open(b, storetest.SQLite)
	follow(b, s, withoutNotify)
	for b.Loop() {
		var total float64
		report := func(name string, fill func() any) {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			kept := fill()
			runtime.GC()
			runtime.ReadMemStats(&after)
			runtime.KeepAlive(kept)
			held := float64(after.HeapAlloc) - float64(before.HeapAlloc)
			total += held
			b.ReportMetric(held/(1<<20), name+"-MiB")
		}
		report("devices", func() any { return fillDevices(b, s, size) })
		report("serials", func() any { return fillSerials(b, s, size) })
		report("states", func() any { return fillStates(b, s, size) })
		b.ReportMetric(total/(1<<20), "MiB")
		b.ReportMetric(total/size, "B/phone")
	}
}

// enrolmentState is as large as what ios/storage keeps of an enrolment.
type enrolmentState struct {
	cert struct {
		sum [sha256.Size]byte
		ok  bool
	}
	lastSeen sql.NullTime
	queued   bool
}

// fillDevices keeps n devices as the database gives them: each string read anew, the
// tenant one of ten, one policy.
func fillDevices(b *testing.B, s *store.Store, n int) *store.KeptDevices {
	kept := store.NewKeptDevices(s.Changes(), n)
	now := time.Now().UTC()
	tenants := make([]string, 10)
	for i := range tenants {
		tenants[i] = mdm.NewID()
	}
	policy := mdm.NewID()
	for i := range n {
		contact := now.Add(-time.Duration(i) * time.Second)
		policy := strings.Clone(policy)
		d := mdm.Device{ID: mdm.NewID(), TenantID: strings.Clone(tenants[i%10]), EmployeeID: mdm.NewID(), WorkPolicyID: &policy,
			InvitationID: new(mdm.NewID()), Platform: mdm.Platform(strings.Clone("ios")), PlatformID: fmt.Sprintf("%032X", i),
			Ownership: mdm.Ownership(strings.Clone("personal")), State: mdm.DeviceState(strings.Clone("active")), OSVersion: strings.Clone("18.1.1"),
			Compliance: mdm.Compliance(strings.Clone("compliant")), ReportedCompliance: mdm.Compliance(strings.Clone("compliant")),
			LastContactAt: &contact, CreatedAt: now, UpdatedAt: now}
		hash := sha256.Sum256([]byte(d.ID))
		_, _ = kept.Load(hash[:], func() (mdm.Device, error) { return d, nil })
	}
	if kept.Len() != n {
		b.Fatalf("kept %d devices, want %d", kept.Len(), n)
	}
	return kept
}

// fillSerials keeps n certificates' revocation by their serial.
func fillSerials(b *testing.B, s *store.Store, n int) *store.Kept[string, bool] {
	kept := store.NewKept[bool](s.Changes(), n, "serial", nil)
	for i := range n {
		_, _ = kept.Load(fmt.Sprintf("%038d", i), func() (bool, error) { return false, nil })
	}
	if kept.Len() != n {
		b.Fatalf("kept %d serials, want %d", kept.Len(), n)
	}
	return kept
}

// fillStates keeps n enrolments' states by their ID.
func fillStates(b *testing.B, s *store.Store, n int) *store.Kept[string, enrolmentState] {
	kept := store.NewKept[enrolmentState](s.Changes(), n, "enrolment", nil)
	now := time.Now()
	for i := range n {
		st := enrolmentState{lastSeen: sql.NullTime{Time: now, Valid: true}, queued: false}
		st.cert.sum, st.cert.ok = sha256.Sum256(fmt.Appendf(nil, "%d", i)), true
		_, _ = kept.Load(fmt.Sprintf("%032X", i), func() (enrolmentState, error) { return st, nil })
	}
	if kept.Len() != n {
		b.Fatalf("kept %d states, want %d", kept.Len(), n)
	}
	return kept
}
