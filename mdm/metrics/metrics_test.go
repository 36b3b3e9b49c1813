package metrics_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trennwand/trennwand/mdm/metrics"
)

// A phone that sends a new message type with every request cannot grow the series: a
// label keeps its first values and takes "other" for the rest, and a value that is not a
// short word (an e-mail address, a path) is "other" from the start.
func TestLabelsStayBounded(t *testing.T) {
	e := metrics.NewEvents()
	for i := range 1000 {
		e.CheckIn("ios", fmt.Sprintf("Type%d", i))
	}
	e.CheckIn("ios", "anna.schmidt@musterstadt.de")
	e.CheckIn("ios", "enterprises/LC0123/devices/3f2a")
	got := gather(t, e)
	checkins := 0
	for series := range got {
		if strings.HasPrefix(series, "trennwand_checkins_total") {
			checkins++
		}
	}
	if checkins > 65 {
		t.Errorf("%d series after 1000 distinct message types, want at most 64 and other", checkins)
	}
	if other := got[`trennwand_checkins_total{platform="ios",type="other"}`]; other != 1000-64+2 {
		t.Errorf("other: %v, want %d", other, 1000-64+2)
	}
	for series := range got {
		if strings.Contains(series, "@") || strings.Contains(series, "/") {
			t.Errorf("a label carries what the phone wrote: %s", series)
		}
	}
}

// gather collects c and returns each series, written name{label="value",…}, with its
// value.
func gather(t *testing.T, c prometheus.Collector) map[string]float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			name := f.GetName()
			if len(labels) > 0 {
				name += "{" + strings.Join(labels, ",") + "}"
			}
			switch {
			case m.GetCounter() != nil:
				out[name] = m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				out[name] = m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				out[name] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return out
}

// want checks that got has each series with its value.
func want(t *testing.T, got map[string]float64, series map[string]float64) {
	t.Helper()
	for name, v := range series {
		if g, ok := got[name]; !ok || g != v {
			t.Errorf("%s = %v (present: %v), want %v", name, g, ok, v)
		}
	}
}

// only checks that got has the listed series, and no other whose name starts with prefix.
func only(t *testing.T, got map[string]float64, prefix string, series map[string]float64) {
	t.Helper()
	want(t, got, series)
	for name := range got {
		if _, listed := series[name]; strings.HasPrefix(name, prefix) && !listed {
			t.Errorf("unexpected series %s", name)
		}
	}
}

// Components built without metrics call the same methods on a nil *Events.
func TestNilEventsCountNothing(t *testing.T) {
	var e *metrics.Events
	e.Enrolment("ios", metrics.EnrolmentStarted)
	e.CheckIn("android", "STATUS_REPORT")
	e.CommandResult("ios", "lock_work", true)
	e.Pushes(metrics.PushSent, 3)
	e.JobRun("ios_push", "succeeded", time.Second, time.Second, false)
	e.AMAPICall("enterprises.get", 200)
	e.SCEP(true, "")
}

// source counts how often it is read.
type source struct {
	reads  int
	chains []metrics.AuditChain
}

func (s *source) devices(context.Context) ([]metrics.DeviceCount, error) {
	s.reads++
	return []metrics.DeviceCount{
		{Tenant: "musterstadt", Platform: "ios", State: "active", Compliance: "compliant", Count: 7},
		{Tenant: "nachbarort", Platform: "ios", State: "active", Compliance: "compliant", Count: 3},
		{Tenant: "nachbarort", Platform: "android", State: "enrolling", Compliance: "unknown", Count: 1},
	}, nil
}

func (s *source) audit(context.Context) ([]metrics.AuditChain, error) { return s.chains, nil }

// Without the operator's consent the tenant is no label: the devices are summed over the
// tenants and the audit trail and expiries show the worst tenant. With it, each tenant
// has its own series.
func TestTheTenantLabelIsTheOperatorsChoice(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	src := &source{chains: []metrics.AuditChain{
		{Tenant: "musterstadt", Length: 250, CheckpointSeq: 200, CheckpointAt: now.Add(-3 * time.Hour), LastEventAt: now.Add(-time.Hour)},
		{Tenant: "nachbarort", Length: 40, CheckpointSeq: 40, CheckpointAt: now.Add(-10 * time.Minute), LastEventAt: now.Add(-10 * time.Minute)},
	}}
	expiries := func(context.Context) ([]metrics.Expiry, error) {
		return []metrics.Expiry{
			{Kind: metrics.ExpiryAPNs, Tenant: "musterstadt", NotAfter: now.Add(20 * 24 * time.Hour)},
			{Kind: metrics.ExpiryAPNs, Tenant: "nachbarort", NotAfter: now.Add(200 * 24 * time.Hour)},
			{Kind: metrics.ExpiryCARoot, NotAfter: now.Add(10 * 365 * 24 * time.Hour)},
		}, nil
	}
	sources := metrics.Sources{Devices: src.devices, Audit: src.audit, Expiries: expiries}
	clock := func() time.Time { return now }

	without := gather(t, metrics.NewGauges(sources, metrics.Options{Now: clock}))
	only(t, without, "trennwand_devices", map[string]float64{
		`trennwand_devices{compliance="compliant",platform="ios",state="active"}`:      10,
		`trennwand_devices{compliance="unknown",platform="android",state="enrolling"}`: 1,
	})
	only(t, without, "trennwand_audit", map[string]float64{
		"trennwand_audit_chain_events":           290,
		"trennwand_audit_unsigned_events":        50,
		"trennwand_audit_checkpoint_age_seconds": 3 * 3600,
		"trennwand_audit_checkpoint_lag_seconds": 2 * 3600,
	})
	only(t, without, "trennwand_certificate_expiry_seconds", map[string]float64{
		`trennwand_certificate_expiry_seconds{kind="apns_push_certificate"}`: 20 * 24 * 3600,
		`trennwand_certificate_expiry_seconds{kind="ca_root"}`:               10 * 365 * 24 * 3600,
	})

	with := gather(t, metrics.NewGauges(sources, metrics.Options{Now: clock, TenantLabel: true}))
	only(t, with, "trennwand_devices", map[string]float64{
		`trennwand_devices{compliance="compliant",platform="ios",state="active",tenant="musterstadt"}`:     7,
		`trennwand_devices{compliance="compliant",platform="ios",state="active",tenant="nachbarort"}`:      3,
		`trennwand_devices{compliance="unknown",platform="android",state="enrolling",tenant="nachbarort"}`: 1,
	})
	want(t, with, map[string]float64{
		`trennwand_audit_unsigned_events{tenant="musterstadt"}`:                                  50,
		`trennwand_audit_unsigned_events{tenant="nachbarort"}`:                                   0,
		`trennwand_certificate_expiry_seconds{kind="apns_push_certificate",tenant="nachbarort"}`: 200 * 24 * 3600,
		`trennwand_certificate_expiry_seconds{kind="ca_root",tenant=""}`:                         10 * 365 * 24 * 3600,
	})
}

// Scrapes within the reading interval reuse the last reading: the database is read once
// however many Prometheus servers scrape.
func TestScrapesShareOneReading(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	src := &source{}
	g := metrics.NewGauges(metrics.Sources{Devices: src.devices}, metrics.Options{Every: 10 * time.Second, Now: func() time.Time { return now }})
	for range 5 {
		gather(t, g)
	}
	if src.reads != 1 {
		t.Fatalf("5 scrapes within 10 s read the devices %d times, want once", src.reads)
	}
	now = now.Add(11 * time.Second)
	gather(t, g)
	if src.reads != 2 {
		t.Fatalf("a scrape after 11 s read the devices %d times in all, want twice", src.reads)
	}
}

// Every kind of job the server works has its series from the start, at zero, and a kind
// with a backlog shows it by state.
func TestEveryJobKindHasItsSeries(t *testing.T) {
	e := metrics.NewEvents()
	e.JobKind("ios_push")
	e.JobKind("android.sync_devices")
	jobs := func(context.Context) ([]metrics.JobCount, time.Time, error) {
		return []metrics.JobCount{{Kind: "ios_push", State: "available", Count: 3}, {Kind: "ios_push", State: "retryable", Count: 1}}, time.Time{}, nil
	}
	got := gather(t, metrics.NewGauges(metrics.Sources{Jobs: jobs, JobKinds: e.JobKinds}, metrics.Options{}))
	only(t, got, "trennwand_jobs{", map[string]float64{
		`trennwand_jobs{kind="ios_push",state="available"}`:             3,
		`trennwand_jobs{kind="ios_push",state="retryable"}`:             1,
		`trennwand_jobs{kind="android.sync_devices",state="available"}`: 0,
	})
	want(t, got, map[string]float64{"trennwand_jobs_oldest_available_age_seconds": 0})
}
