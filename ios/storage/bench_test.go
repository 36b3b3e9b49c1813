//go:build unix

package storage_test

import (
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/micromdm/nanomdm/mdm"
	"github.com/micromdm/nanomdm/service"
	nanostorage "github.com/micromdm/nanomdm/storage"
	"github.com/micromdm/nanomdm/storage/inmem"

	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/ios/storage/storagetest"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// BenchmarkIdleCheckIn measures what the storage costs an enrolled device that reports
// Idle with nothing queued: the calls nanomdm's certificate authentication and service
// make for it (IsCertHashAssociated, StoreCommandReport, RetrieveNextCommand). Beside
// this storage on SQLite and PostgreSQL, it runs nanomdm v0.9.0's own storages as the
// reference: inmem, and pgsql on the same PostgreSQL server (through the same pgx driver).
// HTTP, signatures and plist decoding are left out; they cost the same for every storage.
//
// The trennwand rows run as the server does, in storage.RequestContext; -per-call leaves
// that out, -last-seen-always writes the last-seen time on every check-in. serial is one
// device after another; parallel is many devices at once (8 per CPU), as a push to many
// devices brings them.
func BenchmarkIdleCheckIn(b *testing.B) {
	trennwand := func(backend string, opts ...storage.Option) func(*testing.B) nanostorage.AllStorage {
		return func(b *testing.B) nanostorage.AllStorage {
			s, _ := open(b, backend, opts...)
			return s
		}
	}
	always := storage.WithLastSeenResolution(0)
	cases := []struct {
		name    string
		open    func(*testing.B) nanostorage.AllStorage
		perCall bool
	}{
		{"trennwand-sqlite", trennwand(storetest.SQLite), false},
		{"trennwand-sqlite-per-call", trennwand(storetest.SQLite), true},
		{"trennwand-sqlite-last-seen-always", trennwand(storetest.SQLite, always), false},
		{"trennwand-postgres", trennwand(storetest.Postgres), false},
		{"trennwand-postgres-per-call", trennwand(storetest.Postgres), true},
		{"trennwand-postgres-last-seen-always", trennwand(storetest.Postgres, always), false},
		{"nanomdm-inmem", func(*testing.B) nanostorage.AllStorage { return inmem.New() }, true},
		{"nanomdm-pgsql", func(b *testing.B) nanostorage.AllStorage { return storagetest.NanoPgSQL(b) }, true},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			svc := server(c.open(b))
			enrolled := func() *idleCheckIn {
				d := newDevice(b)
				d.perCall = c.perCall
				d.enrol(b, svc)
				return d.idleReport(b)
			}
			b.Run("serial", func(b *testing.B) {
				idle := enrolled()
				defer reportCPU(b)()
				for b.Loop() {
					idle.checkIn(b, svc)
				}
			})
			b.Run("parallel", func(b *testing.B) {
				b.SetParallelism(8)
				// One device for every goroutine RunParallel starts.
				idles := make([]*idleCheckIn, 8*runtime.GOMAXPROCS(0))
				for i := range idles {
					idles[i] = enrolled()
				}
				var next atomic.Int64
				b.ResetTimer()
				defer reportCPU(b)()
				b.RunParallel(func(pb *testing.PB) {
					idle := idles[int(next.Add(1)-1)%len(idles)]
					for pb.Next() {
						idle.checkIn(b, svc)
					}
				})
			})
		})
	}
}

// idleCheckIn is one device's Idle report, decoded once as the server would.
type idleCheckIn struct {
	d      *device
	report *mdm.CommandResults
}

func (d *device) idleReport(b *testing.B) *idleCheckIn {
	return &idleCheckIn{d: d, report: raw(b, &mdm.CommandResults{Enrollment: d.enrollment(), Status: "Idle"},
		func(m *mdm.CommandResults, raw []byte) { m.Raw = raw })}
}

func (c *idleCheckIn) checkIn(b *testing.B, svc service.CheckinAndCommandService) {
	cmd, err := svc.CommandAndReportResults(c.d.request(), c.report)
	if err != nil || cmd != nil {
		b.Errorf("Idle check-in: %v %v", cmd, err)
	}
}

// reportCPU starts counting the CPU time the test process spends; the function it returns
// reports it per operation ("cpu-ns/op"). On a machine that other work shares it is a
// steadier figure than the elapsed time. It leaves out the database server's CPU time.
func reportCPU(b *testing.B) func() {
	start := processCPU(b)
	return func() {
		b.ReportMetric(float64((processCPU(b)-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
