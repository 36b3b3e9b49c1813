// Package siem sends the audit trail to the installation's central log (a SIEM), as BSI
// IT-Grundschutz DET.3.5 asks: every event of a tenant whose feed is switched on reaches
// every configured sink (syslog, webhook) at least once and in the order of the tenant's
// chain, also after the receiver was down for a while.
//
// It owns the tables siem_periods (when a tenant's feed was on) and siem_cursors (how far
// each sink has taken each tenant's trail, and which delivery job holds it). Delivery is a
// job of the durable queue per tenant and sink. An appended event whose cursor no job
// holds claims it in the event's transaction and queues the job there; the job sends batch
// after batch, and lets go of the cursor only in a transaction that holds the lock of the
// chain's head and finds nothing left to send. So an event is either seen by the running
// job or claims the cursor for a new one, on any number of replicas, and one job at a time
// sends a tenant's events to a sink. A job that died loses its hold after a while, and the
// next event or the periodic catch-up queues another. The sinks themselves
// (mdm/siem/syslog, mdm/siem/webhook) are given by the wiring.
package siem

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// The sinks an installation may configure, one of each; a cursor is kept per tenant and
// sink name.
const (
	SinkSyslog  = "syslog"
	SinkWebhook = "webhook"
)

// Sink is a receiver of audit events.
type Sink interface {
	// Name is SinkSyslog or SinkWebhook.
	Name() string
	// Send delivers the tenant's events, which follow one another in the chain, and
	// returns nil only when the receiver has taken all of them.
	Send(ctx context.Context, t mdm.Tenant, events []audit.Event) error
}

// Period is a time a tenant's feed was on: from the event that switched it on to the one
// that switched it off (nil while it is on), both sent.
type Period struct {
	TenantID string
	FromSeq  int64
	ToSeq    *int64
	FromAt   time.Time
	ToAt     *time.Time
}

// Open reports whether the feed is still on.
func (p Period) Open() bool { return p.ToSeq == nil }

// Cursor is how far one sink has taken one tenant's trail.
type Cursor struct {
	TenantID string
	Sink     string
	// Seq is the last event the receiver accepted; every event of the feed's periods up
	// to it was sent.
	Seq int64
	// Failures counts the failed attempts since the last success; LastError is the last
	// one's reason and FailingSince when the first of them happened.
	Failures     int
	LastError    string
	FailingSince *time.Time
	SentAt       *time.Time
	// Runner is the delivery job that holds the cursor until RunningUntil; the job
	// extends its hold as it goes, so that one that died is replaced once it has passed.
	Runner       string
	RunningUntil *time.Time
	UpdatedAt    time.Time
}

// Store is what the feed keeps; the events themselves are read through the core's
// store (mdm.Store.Trail).
type Store interface {
	// Periods returns the tenant's periods, oldest first.
	Periods(ctx context.Context, tenantID string) ([]Period, error)
	// OpenPeriod starts a period; ClosePeriod ends the open one at toSeq.
	OpenPeriod(ctx context.Context, p *Period) error
	ClosePeriod(ctx context.Context, tenantID string, toSeq int64, at time.Time) error
	// Cursor returns the sink's cursor of the tenant; mdm.ErrNotFound before the first
	// attempt.
	Cursor(ctx context.Context, tenantID, sink string) (Cursor, error)
	// Cursors returns the tenant's cursors by sink name.
	Cursors(ctx context.Context, tenantID string) ([]Cursor, error)
	// Claim makes runner the tenant's delivery to the sink until `until`, creating the
	// cursor at seq 0 if there is none, unless another runner holds it beyond now; it
	// reports whether runner got it.
	Claim(ctx context.Context, tenantID, sink, runner string, until, now time.Time) (bool, error)
	// Progress stores the runner's cursor and extends its hold until `until`; false when
	// c.Runner does not hold it any more.
	Progress(ctx context.Context, c *Cursor, until time.Time) (bool, error)
	// Release ends runner's hold on the cursor.
	Release(ctx context.Context, tenantID, sink, runner string) error
	// Head returns the seq of the tenant's last event; LockHead also locks the chain's
	// head until the transaction ends, as appending an event does.
	Head(ctx context.Context, tenantID string) (int64, error)
	LockHead(ctx context.Context, tenantID string) (int64, error)
	// Behind returns the tenants whose events up to their chain's head are not all taken
	// by the sink although a period covers them, and whose delivery no runner holds
	// beyond now.
	Behind(ctx context.Context, sink string, now time.Time) ([]string, error)
}

// Service switches tenants' feeds on and off, and delivers their events to the sinks.
type Service struct {
	mdm.Domain[Store]
	sinks map[string]Sink
	cfg   Config
}

// Config tunes delivery; the zero value is what a server uses.
type Config struct {
	// Batch is how many events one Send carries at most; zero means 500.
	Batch int
	// MinBackoff and MaxBackoff bound the pause after a failed attempt, which doubles with
	// every failure in a row; zero means 1 s and 5 min.
	MinBackoff, MaxBackoff time.Duration
	// Slice is how long one job sends before it makes room for other jobs and continues
	// later; zero means 2 min (the queue stops a job after 5).
	Slice time.Duration
	// Hold is how long a delivery job holds a cursor beyond its last step; after that a
	// job that died is replaced. Zero means 2 min, well beyond one Send.
	Hold time.Duration
}

// New returns the feed's service on db, whose tables tables gives.
func New(core *mdm.Service, db mdm.Store, tables func(tx mdm.Store) Store) *Service {
	return &Service{Domain: mdm.NewDomain(core, db, tables), sinks: map[string]Sink{}}
}

// Use makes the service deliver to sinks with cfg, and queue a delivery in the
// transaction of every appended event of a tenant whose feed is on. It is called once, by
// the server, before the store is shared; commands that only switch feeds do without.
func (s *Service) Use(cfg Config, sinks ...Sink) {
	if cfg.Batch == 0 {
		cfg.Batch = 500
	}
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff = time.Second
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = 5 * time.Minute
	}
	if cfg.Slice == 0 {
		cfg.Slice = 2 * time.Minute
	}
	if cfg.Hold == 0 {
		cfg.Hold = 2 * time.Minute
	}
	s.cfg = cfg
	for _, k := range sinks {
		s.sinks[k.Name()] = k
	}
	if len(sinks) > 0 {
		s.DB.OnAuditAppended(s.queueOnAppend)
	}
}
