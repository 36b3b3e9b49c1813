package android_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/android/amapifake"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// BenchmarkPubSubStatusReports measures the push endpoint taking status reports of 100
// enrolled devices, each a new message with a changed patch level: token check, decoding,
// deduplication and the device's status write. It reports notifications per second.
func BenchmarkPubSubStatusReports(b *testing.B) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		b.Run(backend, func(b *testing.B) {
			r := newReporter(b, backend)
			i := int64(0)
			start, cpu := time.Now(), cpuTime()
			for b.Loop() {
				i++
				r.report(b, i)
			}
			reportRates(b, i, start, cpu)
		})
	}
}

// reporter sends status reports of 100 enrolled devices to a site's push endpoint.
type reporter struct {
	p      *android.Platform
	h      http.Handler
	push   string
	phones []amapi.Device
}

func newReporter(b *testing.B, backend string) *reporter {
	s := newSite(b, backend)
	r := &reporter{p: s.platform, h: s.platform.Handler(), push: s.localPushURL(b, s.bind(b).PushURL)}
	for i := range 100 {
		_, phone := s.active(b, fmt.Sprintf("e%d@musterstadt.de", i))
		r.phones = append(r.phones, phone)
	}
	return r
}

// report sends the i-th report: a new message ID, and a patch level that differs from the
// device's last.
func (r *reporter) report(b *testing.B, i int64) {
	r.post(b, r.h, r.body(b, i))
}

// body is the push of the i-th report.
func (r *reporter) body(b *testing.B, i int64) []byte {
	phone := r.phones[i%int64(len(r.phones))]
	sw := *phone.SoftwareInfo
	sw.SecurityPatchLevel = fmt.Sprintf("2026-%02d-05", i%12+1)
	phone.SoftwareInfo = &sw
	body, err := amapifake.PushEnvelope(fmt.Sprintf("bench-%d", i), "STATUS_REPORT", phone)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// post posts a push to the handler h at the push URL.
func (r *reporter) post(b *testing.B, h http.Handler, body []byte) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, r.push, bytes.NewReader(body)))
	if w.Code != http.StatusNoContent {
		b.Fatalf("push: %d %s", w.Code, w.Body)
	}
}

// BenchmarkPubSubStatusReportsParallel is BenchmarkPubSubStatusReports on SQLite with
// sixteen pushes at a time, as Pub/Sub delivers them (it keeps many pushes outstanding);
// it also reports how many reports a transaction wrote on average.
func BenchmarkPubSubStatusReportsParallel(b *testing.B) {
	r := newReporter(b, storetest.SQLite)
	var n atomic.Int64
	start, cpu := time.Now(), cpuTime()
	b.SetParallelism(8) // eight goroutines per core: sixteen pushes at a time on two cores
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r.report(b, n.Add(1))
		}
	})
	reportRates(b, n.Load(), start, cpu)
	b.ReportMetric(r.p.BatchSize(), "reports/batch")
}

// reportRates reports notifications per second of wall time and the process's CPU time
// per notification, which other load on the machine distorts less. On PostgreSQL the
// server's CPU time is not included.
func reportRates(b *testing.B, n int64, start time.Time, cpu time.Duration) {
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "notifications/s")
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(n), "cpu-µs/notification")
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPolicyChangeCalls measures what one change of a work policy costs at Google
// with 10 and 10,000 devices on it: the AMAPI calls per change, which must not grow with
// the devices (one policy per work policy).
func BenchmarkPolicyChangeCalls(b *testing.B) {
	for _, devices := range []int{10, 10000} {
		b.Run(fmt.Sprintf("devices=%d", devices), func(b *testing.B) {
			s := newSite(b, storetest.SQLite)
			s.bind(b)
			ctx := context.Background()
			wp := mdm.WorkPolicy{ID: mdm.NewID(), Name: "Verwaltung", Version: 1}
			if err := store.WorkPoliciesOf(s.st).CreateWorkPolicy(ctx, s.tenant.ID, &wp); err != nil {
				b.Fatal(err)
			}
			addDevices(b, s, wp.ID, devices)
			before := s.fake.Calls("policies.patch")
			changes := 0
			for b.Loop() {
				wp.Version++
				wp.CopyPasteToPersonal = !wp.CopyPasteToPersonal
				if err := s.platform.ApplyPolicy(ctx, s.tenant, wp); err != nil {
					b.Fatal(err)
				}
				changes++
			}
			total := 0
			for _, op := range []string{"policies.patch", "devices.patch", "devices.issueCommand", "applications.get"} {
				total += s.fake.Calls(op)
			}
			b.ReportMetric(float64(total-before)/float64(changes), "amapi-calls/change")
		})
	}
}

// addDevices puts n active Android devices with the work policy into the tenant, as
// enrolments leave them.
func addDevices(b *testing.B, s *site, workPolicyID string, n int) {
	b.Helper()
	ctx := context.Background()
	emp := mdm.Employee{ID: mdm.NewID(), Email: "bench@musterstadt.de", CreatedAt: time.Now().UTC()}
	err := s.st.Atomic(ctx, func(tx mdm.Store) error {
		if err := store.EnrolmentOf(tx).CreateEmployee(ctx, s.tenant.ID, &emp); err != nil {
			return err
		}
		for i := range n {
			at := time.Now().UTC()
			d := mdm.Device{ID: mdm.NewID(), EmployeeID: emp.ID, WorkPolicyID: &workPolicyID, Platform: mdm.PlatformAndroid,
				PlatformID: fmt.Sprintf("enterprises/LCBENCH/devices/3%d", i), State: mdm.DeviceActive,
				Compliance: mdm.ComplianceCompliant, CreatedAt: at, UpdatedAt: at}
			if err := tx.Devices().CreateDevice(ctx, s.tenant.ID, &d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
