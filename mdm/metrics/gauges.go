package metrics

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// DeviceCount is how many of a tenant's devices have one platform, state and compliance
// verdict.
type DeviceCount struct {
	Tenant                      string
	Platform, State, Compliance string
	Count                       int64
}

// PendingCommands are the commands in one state that no phone has answered yet, and the
// time the oldest of them was queued.
type PendingCommands struct {
	State  string
	Count  int64
	Oldest time.Time
}

// JobCount is how many background jobs of a kind are in a state.
type JobCount struct {
	Kind, State string
	Count       int64
}

// AuditChain is the state of one tenant's audit trail: its length, its last signed
// checkpoint (zero time: none yet) and its newest event.
type AuditChain struct {
	Tenant        string
	Length        int64
	CheckpointSeq int64
	CheckpointAt  time.Time
	LastEventAt   time.Time
}

// Expiry is one certificate or token and when it ends. Tenant is empty for the
// installation's own (the CA, the server certificate).
type Expiry struct {
	Kind     string
	Tenant   string
	NotAfter time.Time
}

// Kinds of Expiry, the values of trennwand_certificate_expiry_seconds's kind label.
const (
	ExpiryAPNs           = "apns_push_certificate"
	ExpiryAppsAndBooks   = "apps_and_books_token"
	ExpiryABMServerToken = "abm_server_token" // Automated Device Enrollment's, from Apple Business Manager
	ExpiryCARoot         = "ca_root"
	ExpiryCAIntermediate = "ca_intermediate"
	ExpiryServerTLS      = "server_certificate"
)

// Sources read what the gauges show. Each may be nil: its gauges are left out.
type Sources struct {
	Devices  func(ctx context.Context) ([]DeviceCount, error)
	Commands func(ctx context.Context) ([]PendingCommands, error)
	Jobs     func(ctx context.Context) (counts []JobCount, oldestAvailable time.Time, err error)
	// JobKinds are the kinds of jobs the server works; each is shown as available, at
	// zero when none waits, so that the series exist before the first backlog.
	JobKinds func() []string
	Audit    func(ctx context.Context) ([]AuditChain, error)
	// Expiries lists the certificates and tokens; they change rarely, so they are read
	// at most every ExpiryEvery.
	Expiries func(ctx context.Context) ([]Expiry, error)
	// Ready is the server's readiness, as /readyz answers it.
	Ready func(ctx context.Context) error
}

// Options tune the gauges.
type Options struct {
	// TenantLabel adds the tenant's name as a label to the per-tenant gauges; without it
	// they are summed (counts) or the worst tenant's value is shown (ages, expiries).
	TenantLabel bool
	// Every is how long a reading of the database is reused by the next scrapes; zero
	// means 10 seconds. It bounds the database's work however many scrape.
	Every time.Duration
	// ExpiryEvery is how long the expiries are reused; zero means 5 minutes.
	ExpiryEvery time.Duration
	// Timeout bounds one reading; zero means 5 seconds.
	Timeout time.Duration
	Log     *slog.Logger
	Now     func() time.Time
}

// Gauges is the collector of the installation's state, read from the database at scrape
// time and kept for a short while.
type Gauges struct {
	src  Sources
	opts Options

	devices, commandsPending, commandsOldest, jobs, jobOldest        *prometheus.Desc
	auditLength, auditCheckpointAge, auditUnsigned, auditLag, expiry *prometheus.Desc
	ready, readError                                                 *prometheus.Desc

	mu          sync.Mutex
	read        reading
	readAt      time.Time
	expiries    []Expiry
	expiriesErr bool
	expiriesAt  time.Time
}

// reading is one reading of the database.
type reading struct {
	devices   []DeviceCount
	commands  []PendingCommands
	jobs      []JobCount
	jobOldest time.Time
	audit     []AuditChain
	ready     bool
	failed    map[string]bool // source → its last reading failed
}

// NewGauges returns the collector over src.
func NewGauges(src Sources, opts Options) *Gauges {
	if opts.Every == 0 {
		opts.Every = 10 * time.Second
	}
	if opts.ExpiryEvery == 0 {
		opts.ExpiryEvery = 5 * time.Minute
	}
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	var tenant []string
	if opts.TenantLabel {
		tenant = []string{"tenant"}
	}
	with := func(labels ...string) []string { return append(labels, tenant...) }
	return &Gauges{src: src, opts: opts,
		devices: prometheus.NewDesc("trennwand_devices",
			"Devices by platform, state and compliance verdict.", with("platform", "state", "compliance"), nil),
		commandsPending: prometheus.NewDesc("trennwand_commands_pending",
			"Commands not answered yet, by state (queued: not yet fetched by the phone or sent to Google; sent).", []string{"state"}, nil),
		commandsOldest: prometheus.NewDesc("trennwand_commands_oldest_pending_age_seconds",
			"Age of the oldest command not answered yet, by state.", []string{"state"}, nil),
		jobs: prometheus.NewDesc("trennwand_jobs",
			"Background jobs not completed, by kind and state (available, scheduled, pending, running, retryable, cancelled, discarded).", []string{"kind", "state"}, nil),
		jobOldest: prometheus.NewDesc("trennwand_jobs_oldest_available_age_seconds",
			"How long the longest-waiting job that is due has waited for a worker (0: none waiting).", nil, nil),
		auditLength: prometheus.NewDesc("trennwand_audit_chain_events",
			"Events appended to the audit trail's hash chain (its length).", with(), nil),
		auditCheckpointAge: prometheus.NewDesc("trennwand_audit_checkpoint_age_seconds",
			"Age of the audit trail's last signed checkpoint (without the tenant label: the oldest of the tenants').", with(), nil),
		auditUnsigned: prometheus.NewDesc("trennwand_audit_unsigned_events",
			"Audit events appended after the last signed checkpoint (one is due at 100).", with(), nil),
		auditLag: prometheus.NewDesc("trennwand_audit_checkpoint_lag_seconds",
			"Time from the last signed checkpoint to the newest event after it (one is due after an hour); 0 when every event is signed.", with(), nil),
		expiry: prometheus.NewDesc("trennwand_certificate_expiry_seconds",
			"Seconds until a certificate or token expires (negative: expired), by kind; without the tenant label the soonest of the tenants'.", with("kind"), nil),
		ready: prometheus.NewDesc("trennwand_ready",
			"1 when the server is ready (database reachable, schema current), as /readyz answers; 0 otherwise.", nil, nil),
		readError: prometheus.NewDesc("trennwand_metrics_read_errors",
			"1 when the last reading of a source for these metrics failed (see the log), by source.", []string{"source"}, nil),
	}
}

// Describe is part of prometheus.Collector.
func (g *Gauges) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{g.devices, g.commandsPending, g.commandsOldest, g.jobs, g.jobOldest,
		g.auditLength, g.auditCheckpointAge, g.auditUnsigned, g.auditLag, g.expiry, g.ready, g.readError} {
		ch <- d
	}
}

// Collect is part of prometheus.Collector: it reads the sources unless a reading younger
// than Options.Every is at hand, and sends the gauges.
func (g *Gauges) Collect(ch chan<- prometheus.Metric) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.opts.Now()
	if g.readAt.IsZero() || now.Sub(g.readAt) >= g.opts.Every {
		g.read = g.readSources()
		g.readAt = now
	}
	if g.src.Expiries != nil && (g.expiriesAt.IsZero() || now.Sub(g.expiriesAt) >= g.opts.ExpiryEvery) {
		ctx, cancel := context.WithTimeout(context.Background(), g.opts.Timeout)
		ex, err := g.src.Expiries(ctx)
		cancel()
		g.expiriesErr = err != nil
		if err != nil {
			g.opts.Log.Warn("metrics: reading the expiries failed", "error", err)
		} else {
			g.expiries = ex
		}
		g.expiriesAt = now
	}
	g.send(ch, now)
}

// readSources reads every source once, each bounded by the timeout.
func (g *Gauges) readSources() reading {
	r := reading{failed: map[string]bool{}}
	run := func(name string, fn func(ctx context.Context) error) {
		ctx, cancel := context.WithTimeout(context.Background(), g.opts.Timeout)
		defer cancel()
		if err := fn(ctx); err != nil {
			r.failed[name] = true
			g.opts.Log.Warn("metrics: reading a source failed", "source", name, "error", err)
		}
	}
	if g.src.Ready != nil {
		ctx, cancel := context.WithTimeout(context.Background(), g.opts.Timeout)
		r.ready = g.src.Ready(ctx) == nil
		cancel()
	}
	if g.src.Devices != nil {
		run("devices", func(ctx context.Context) (err error) { r.devices, err = g.src.Devices(ctx); return err })
	}
	if g.src.Commands != nil {
		run("commands", func(ctx context.Context) (err error) { r.commands, err = g.src.Commands(ctx); return err })
	}
	if g.src.Jobs != nil {
		run("jobs", func(ctx context.Context) (err error) { r.jobs, r.jobOldest, err = g.src.Jobs(ctx); return err })
	}
	if g.src.Audit != nil {
		run("audit", func(ctx context.Context) (err error) { r.audit, err = g.src.Audit(ctx); return err })
	}
	return r
}

// send writes the gauges of the current reading.
func (g *Gauges) send(ch chan<- prometheus.Metric, now time.Time) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	r := g.read
	if g.src.Ready != nil {
		gauge(g.ready, boolValue(r.ready))
	}
	for _, name := range []string{"devices", "commands", "jobs", "audit", "expiries"} {
		failed := r.failed[name]
		if name == "expiries" {
			failed = g.expiriesErr
		}
		gauge(g.readError, boolValue(failed), name)
	}

	devices := map[[4]string]int64{}
	for _, d := range r.devices {
		devices[[4]string{d.Platform, d.State, d.Compliance, g.tenant(d.Tenant)}] += d.Count
	}
	for k, n := range devices {
		gauge(g.devices, float64(n), g.labels(k[:3], k[3])...)
	}

	for _, c := range r.commands {
		gauge(g.commandsPending, float64(c.Count), c.State)
		age := 0.0
		if c.Count > 0 && !c.Oldest.IsZero() {
			age = now.Sub(c.Oldest).Seconds()
		}
		gauge(g.commandsOldest, max(age, 0), c.State)
	}

	if g.src.Jobs != nil {
		shown := map[[2]string]bool{}
		for _, j := range r.jobs {
			gauge(g.jobs, float64(j.Count), j.Kind, j.State)
			shown[[2]string{j.Kind, j.State}] = true
		}
		if g.src.JobKinds != nil {
			for _, kind := range g.src.JobKinds() {
				if key := [2]string{kind, "available"}; !shown[key] {
					gauge(g.jobs, 0, kind, "available")
					shown[key] = true
				}
			}
		}
		age := 0.0
		if !r.jobOldest.IsZero() {
			age = max(now.Sub(r.jobOldest).Seconds(), 0)
		}
		gauge(g.jobOldest, age)
	}

	g.sendAudit(gauge, r.audit, now)
	g.sendExpiries(gauge, now)
}

// sendAudit writes the audit trail's gauges: per tenant, or summed (length) and the
// worst tenant's (ages, unsigned events).
func (g *Gauges) sendAudit(gauge func(*prometheus.Desc, float64, ...string), chains []AuditChain, now time.Time) {
	type values struct{ length, age, unsigned, lag float64 }
	agg := map[string]*values{}
	for _, c := range chains {
		key := g.tenant(c.Tenant)
		v := agg[key]
		if v == nil {
			v = &values{}
			agg[key] = v
		}
		v.length += float64(c.Length)
		if !c.CheckpointAt.IsZero() {
			v.age = max(v.age, now.Sub(c.CheckpointAt).Seconds())
		}
		v.unsigned = max(v.unsigned, float64(c.Length-c.CheckpointSeq))
		if c.Length > c.CheckpointSeq && !c.CheckpointAt.IsZero() && c.LastEventAt.After(c.CheckpointAt) {
			v.lag = max(v.lag, c.LastEventAt.Sub(c.CheckpointAt).Seconds())
		}
	}
	for tenant, v := range agg {
		gauge(g.auditLength, v.length, g.labels(nil, tenant)...)
		gauge(g.auditCheckpointAge, v.age, g.labels(nil, tenant)...)
		gauge(g.auditUnsigned, v.unsigned, g.labels(nil, tenant)...)
		gauge(g.auditLag, v.lag, g.labels(nil, tenant)...)
	}
}

// sendExpiries writes the seconds until each certificate or token expires; without the
// tenant label, the soonest per kind.
func (g *Gauges) sendExpiries(gauge func(*prometheus.Desc, float64, ...string), now time.Time) {
	soonest := map[[2]string]float64{}
	for _, e := range g.expiries {
		key := [2]string{e.Kind, g.tenant(e.Tenant)}
		left := e.NotAfter.Sub(now).Seconds()
		if v, ok := soonest[key]; !ok || left < v {
			soonest[key] = left
		}
	}
	for k, left := range soonest {
		gauge(g.expiry, left, g.labels([]string{k[0]}, k[1])...)
	}
}

// tenant is the tenant's label value, or "" when the label is off.
func (g *Gauges) tenant(name string) string {
	if !g.opts.TenantLabel {
		return ""
	}
	return name
}

// labels appends the tenant to the other label values when the label is on.
func (g *Gauges) labels(values []string, tenant string) []string {
	out := append([]string(nil), values...)
	if g.opts.TenantLabel {
		out = append(out, tenant)
	}
	return out
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
