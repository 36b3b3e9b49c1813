// Package metrics is what the server counts and measures about its domain for
// Prometheus: enrolments, check-ins, command results, pushes, background jobs, calls to
// Google's API and SCEP as they happen (Events), and the state of the installation read
// from the database when Prometheus scrapes (Gauges).
//
// Labels are bounded and carry no personal data: platforms, message and command types,
// results and reasons from the code's own catalogues, never an e-mail address, a name or
// a device's identifier. A label value outside what the code knows becomes "other", and
// no label takes more than maxValues values, so a phone that sends something unexpected
// cannot grow the series. The tenant appears as a label only where the operator asks for
// it (Options.TenantLabel).
//
// Every method works on a nil *Events and does nothing, so that components built without
// metrics (tests, the command line) need no stand-in.
package metrics

import (
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Stages of an enrolment, the values of trennwand_enrolments_total's stage label.
const (
	EnrolmentStarted   = "started"   // an invitation code was redeemed for a platform
	EnrolmentCompleted = "completed" // the platform reported the management channel complete
	EnrolmentFailed    = "failed"    // a step of the enrolment was refused or failed
)

// Results of an APNs push, the values of trennwand_apns_pushes_total's result label.
const (
	PushSent        = "sent"         // APNs took it
	PushGone        = "gone"         // APNs no longer knows the device token
	PushRetry       = "retry"        // APNs did not take it this time (429, 5xx, network); tried again
	PushGivenUp     = "given_up"     // still not taken after the last attempt
	PushRefused     = "refused"      // APNs refused it (certificate, topic): a fault on our side
	PushNotEnrolled = "not_enrolled" // the enrolment had no push token
)

// Results of SCEP, the values of trennwand_scep_requests_total's result label; the CA
// names the reasons of a refusal.
const (
	SCEPIssued  = "issued"
	SCEPRefused = "refused"
)

// Events are the counters and histograms of what happens, recorded where it happens.
type Events struct {
	enrolments     *prometheus.CounterVec
	checkins       *prometheus.CounterVec
	commandResults *prometheus.CounterVec
	pushes         *prometheus.CounterVec
	jobRuns        *prometheus.CounterVec
	jobRetries     *prometheus.CounterVec
	jobWait        *prometheus.HistogramVec
	jobDuration    *prometheus.HistogramVec
	amapiCalls     *prometheus.CounterVec
	scep           *prometheus.CounterVec

	guard guard

	mu    sync.Mutex
	kinds []string // the kinds of background jobs registered
}

// NewEvents returns the event metrics; register them with a prometheus.Registerer (they
// are one prometheus.Collector).
func NewEvents() *Events {
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	}
	histogram := func(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
	}
	// Jobs wait from a poll interval (100 ms) to hours behind a backlog or a back-off.
	waits := []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600}
	e := &Events{
		enrolments: counter("trennwand_enrolments_total",
			"Enrolment steps by platform and stage (started: invitation code redeemed; completed: management channel complete; failed).",
			"platform", "stage"),
		checkins: counter("trennwand_checkins_total",
			"Messages from phones by platform and type (iOS: MDM check-in message types and command reports; Android: Pub/Sub notification types).",
			"platform", "type"),
		commandResults: counter("trennwand_command_results_total",
			"Answers to the server's commands by platform, command kind and status (acknowledged or error).",
			"platform", "kind", "status"),
		pushes: counter("trennwand_apns_pushes_total",
			"APNs pushes by result (sent, gone, retry, given_up, refused, not_enrolled).",
			"result"),
		jobRuns: counter("trennwand_job_runs_total",
			"Background job runs by kind and result (succeeded, failed, cancelled, snoozed).",
			"kind", "result"),
		jobRetries: counter("trennwand_job_retries_total",
			"Background job runs that were a retry of a failed attempt, by kind.",
			"kind"),
		jobWait: histogram("trennwand_job_wait_seconds",
			"Time from when a background job was due until a worker started it, by kind.",
			waits, "kind"),
		jobDuration: histogram("trennwand_job_duration_seconds",
			"Time a background job run took, by kind.",
			prometheus.DefBuckets, "kind"),
		amapiCalls: counter("trennwand_amapi_requests_total",
			"Calls to Google's Android Management API by method and HTTP status code (\"error\": no answer).",
			"method", "code"),
		scep: counter("trennwand_scep_requests_total",
			"SCEP certificate requests (PKIOperation) by result (issued, refused) and the reason of a refusal.",
			"result", "reason"),
	}
	// The results known from the start exist at zero, so that alerts on their rate work
	// before the first occurrence.
	for _, r := range []string{PushSent, PushGone, PushRetry, PushGivenUp, PushRefused, PushNotEnrolled} {
		e.pushes.WithLabelValues(e.guard.value("push_result", r))
	}
	e.scep.WithLabelValues(SCEPIssued, "")
	return e
}

// Platforms makes the enrolment series of each platform exist from the start, at zero,
// so that a rate over them is defined before the first enrolment.
func (e *Events) Platforms(names ...string) {
	if e == nil {
		return
	}
	for _, p := range names {
		for _, stage := range []string{EnrolmentStarted, EnrolmentCompleted, EnrolmentFailed} {
			e.enrolments.WithLabelValues(e.guard.value("platform", p), stage)
		}
	}
}

// Commands makes the command result series of each platform and command kind exist
// from the start, at zero.
func (e *Events) Commands(platforms, kinds []string) {
	if e == nil {
		return
	}
	for _, p := range platforms {
		for _, k := range kinds {
			for _, status := range []string{"acknowledged", "error"} {
				e.commandResults.WithLabelValues(e.guard.value("platform", p), e.guard.value("command_kind", k), status)
			}
		}
	}
}

// JobKind makes the series of a kind of background job exist from the start, at zero.
func (e *Events) JobKind(kind string) {
	if e == nil {
		return
	}
	kind = e.guard.value("job_kind", kind)
	e.mu.Lock()
	e.kinds = append(e.kinds, kind)
	e.mu.Unlock()
	for _, result := range []string{"succeeded", "failed"} {
		e.jobRuns.WithLabelValues(kind, e.guard.value("job_result", result))
	}
	e.jobRetries.WithLabelValues(kind)
	e.jobWait.WithLabelValues(kind)
	e.jobDuration.WithLabelValues(kind)
}

// JobKinds returns the kinds of background jobs registered (JobKind), so that the job
// gauges show each of them, at zero when none waits.
func (e *Events) JobKinds() []string {
	if e == nil {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.kinds)
}

func (e *Events) vectors() []prometheus.Collector {
	return []prometheus.Collector{e.enrolments, e.checkins, e.commandResults, e.pushes, e.jobRuns, e.jobRetries,
		e.jobWait, e.jobDuration, e.amapiCalls, e.scep}
}

// Describe is part of prometheus.Collector.
func (e *Events) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range e.vectors() {
		c.Describe(ch)
	}
}

// Collect is part of prometheus.Collector.
func (e *Events) Collect(ch chan<- prometheus.Metric) {
	for _, c := range e.vectors() {
		c.Collect(ch)
	}
}

// Enrolment counts one step of an enrolment on platform.
func (e *Events) Enrolment(platform, stage string) {
	if e == nil {
		return
	}
	e.enrolments.WithLabelValues(e.guard.value("platform", platform), e.guard.value("stage", stage)).Inc()
}

// CheckIn counts one message of a phone of platform, of the given type.
func (e *Events) CheckIn(platform, typ string) {
	if e == nil {
		return
	}
	e.checkins.WithLabelValues(e.guard.value("platform", platform), e.guard.value("checkin_type", typ)).Inc()
}

// CommandResult counts one answer to a command of the given kind on platform; failed says
// the phone or the API reported an error.
func (e *Events) CommandResult(platform, kind string, failed bool) {
	if e == nil {
		return
	}
	status := "acknowledged"
	if failed {
		status = "error"
	}
	e.commandResults.WithLabelValues(e.guard.value("platform", platform), e.guard.value("command_kind", kind), status).Inc()
}

// Pushes counts n pushes with the given result.
func (e *Events) Pushes(result string, n int) {
	if e == nil || n == 0 {
		return
	}
	e.pushes.WithLabelValues(e.guard.value("push_result", result)).Add(float64(n))
}

// JobRun records one run of a background job of kind: how long it waited after it was
// due, how long it ran, whether it was a retry, and its result.
func (e *Events) JobRun(kind, result string, wait, took time.Duration, retry bool) {
	if e == nil {
		return
	}
	kind = e.guard.value("job_kind", kind)
	e.jobRuns.WithLabelValues(kind, e.guard.value("job_result", result)).Inc()
	if retry {
		e.jobRetries.WithLabelValues(kind).Inc()
	}
	e.jobWait.WithLabelValues(kind).Observe(max(wait, 0).Seconds())
	e.jobDuration.WithLabelValues(kind).Observe(took.Seconds())
}

// AMAPICall counts one call to the Android Management API; code is the HTTP status, or 0
// when no answer came.
func (e *Events) AMAPICall(method string, code int) {
	if e == nil {
		return
	}
	label := "error"
	if code > 0 {
		label = statusLabel(code)
	}
	e.amapiCalls.WithLabelValues(e.guard.value("amapi_method", method), label).Inc()
}

// SCEP counts one certificate request: issued, or refused for reason.
func (e *Events) SCEP(issued bool, reason string) {
	if e == nil {
		return
	}
	if issued {
		e.scep.WithLabelValues(SCEPIssued, "").Inc()
		return
	}
	e.scep.WithLabelValues(SCEPRefused, e.guard.value("scep_reason", reason)).Inc()
}

// statusLabel is the HTTP status code as a label: three digits, anything else "other".
func statusLabel(code int) string {
	if code < 100 || code > 599 {
		return Other
	}
	return string([]byte{byte('0' + code/100), byte('0' + code/10%10), byte('0' + code%10)})
}

// Other stands for a label value beyond the bound.
const Other = "other"

// maxValues bounds the values one label takes; the code's catalogues are far smaller.
const maxValues = 64

// maxValueLength bounds a label value's length.
const maxValueLength = 64

// guard keeps each label's values bounded: the first maxValues values of a label are kept
// as they are, later ones become Other, and so does any value that is not a short word.
type guard struct {
	mu   sync.Mutex
	seen map[string]map[string]struct{}
}

func (g *guard) value(label, v string) string {
	if !word(v) {
		return Other
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.seen == nil {
		g.seen = make(map[string]map[string]struct{})
	}
	values := g.seen[label]
	if values == nil {
		values = make(map[string]struct{})
		g.seen[label] = values
	}
	if _, ok := values[v]; ok {
		return v
	}
	if len(values) >= maxValues {
		return Other
	}
	values[v] = struct{}{}
	return v
}

// word reports whether v is a non-empty identifier of letters, digits, '_', '.' and '-'.
func word(v string) bool {
	if v == "" || len(v) > maxValueLength {
		return false
	}
	for _, r := range v {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.', r == '-':
		default:
			return false
		}
	}
	return true
}
