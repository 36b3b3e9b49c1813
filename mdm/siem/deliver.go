package siem

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// DeliverJob sends a tenant's events that one sink has not taken yet, as long as Runner
// holds the sink's cursor of the tenant.
type DeliverJob struct {
	TenantID string `json:"tenant_id"`
	Sink     string `json:"sink"`
	Runner   string `json:"runner"`
}

// Kind names the job's worker.
func (DeliverJob) Kind() string { return "siem_deliver" }

// CatchUpJob queues a delivery for every tenant and sink that is behind with no job
// holding its cursor: after a command line (which queues no deliveries) appended events
// or switched a feed on, after a sink was configured, after a job died.
type CatchUpJob struct{}

// Kind names the job's worker.
func (CatchUpJob) Kind() string { return "siem_catch_up" }

// Queue is the job queue of the deliveries, apart from the default queue, so that a
// receiver that answers slowly holds up no other work; QueueWorkers of its jobs run at once.
const (
	Queue        = "siem"
	QueueWorkers = 4
)

// CatchUpInterval is how often the catch-up runs.
const CatchUpInterval = 30 * time.Second

// queueOnAppend queues the deliveries of the tenant whose event e was appended, in the
// event's transaction, when its feed is on and no job holds the cursor.
func (s *Service) queueOnAppend(ctx context.Context, tx mdm.Store, e audit.Event) error {
	periods, err := s.Tables(tx).Periods(ctx, e.TenantID)
	if err != nil {
		return err
	}
	if !isOn(periods) {
		return nil
	}
	return s.queue(ctx, tx, e.TenantID)
}

// queue claims the tenant's cursor of each sink that no job holds and queues a delivery
// for it in tx.
func (s *Service) queue(ctx context.Context, tx mdm.Store, tenantID string) error {
	now := s.Settings.Now()
	for _, name := range s.sinkNames() {
		runner := mdm.NewID()
		claimed, err := s.Tables(tx).Claim(ctx, tenantID, name, runner, now.Add(s.cfg.Hold), now)
		if err != nil {
			return fmt.Errorf("claim the SIEM delivery of tenant %s to %s: %w", tenantID, name, err)
		}
		if !claimed {
			continue
		}
		if err := tx.EnqueueJob(ctx, DeliverJob{TenantID: tenantID, Sink: name, Runner: runner}, mdm.JobOptions{Queue: Queue}); err != nil {
			return err
		}
	}
	return nil
}

// CatchUp queues a delivery for every tenant and sink that is behind with no job holding
// its cursor.
func (s *Service) CatchUp(ctx context.Context, _ CatchUpJob) error {
	for _, name := range s.sinkNames() {
		tenants, err := s.Tables(s.DB).Behind(ctx, name, s.Settings.Now())
		if err != nil {
			return fmt.Errorf("SIEM feeds behind at %s: %w", name, err)
		}
		for _, id := range tenants {
			if err := s.DB.Atomic(ctx, func(tx mdm.Store) error { return s.queue(ctx, tx, id) }); err != nil {
				return err
			}
		}
	}
	return nil
}

// Deliver sends the tenant's events that the sink has not taken, batch after batch in
// the order of the chain, moving the sink's cursor after each batch the receiver took,
// until nothing is left or the job no longer holds the cursor. When the receiver fails,
// it records the failure and returns how long to wait before the next attempt, with the
// reason; again is also set when the job ran its slice and should continue after other
// jobs had their turn. Any other error is the database's.
func (s *Service) Deliver(ctx context.Context, job DeliverJob) (again time.Duration, err error) {
	sink := s.sinks[job.Sink]
	if sink == nil {
		return 0, nil
	}
	t, err := s.DB.Tenants().TenantByID(ctx, job.TenantID)
	if errors.Is(err, mdm.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	started := s.Settings.Now()
	for s.Settings.Now().Sub(started) < s.cfg.Slice {
		c, err := s.Tables(s.DB).Cursor(ctx, t.ID, sink.Name())
		if err != nil || c.Runner != job.Runner {
			// Another job took over after this one's hold had passed.
			return 0, err
		}
		sent, err := s.deliverBatch(ctx, t, sink, c)
		switch {
		case errors.Is(err, errLostHold):
			return 0, nil
		case err != nil:
			return 0, err
		case sent.Failures > 0:
			return s.backoff(sent.Failures), fmt.Errorf("send tenant %s's audit events after %d to %s (attempt %d): %s",
				t.Name, sent.Seq, sink.Name(), sent.Failures, sent.LastError)
		case sent.Seq == c.Seq:
			done, err := s.finish(ctx, c)
			if done || err != nil {
				return 0, err
			}
		}
	}
	return time.Millisecond, nil
}

// deliverBatch sends the next batch after cursor c and returns the cursor as stored
// afterwards: moved on, with a failure recorded, or unchanged when nothing was left.
func (s *Service) deliverBatch(ctx context.Context, t mdm.Tenant, sink Sink, c Cursor) (Cursor, error) {
	tables := s.Tables(s.DB)
	periods, err := tables.Periods(ctx, t.ID)
	if err != nil {
		return c, err
	}
	from, to, ok := nextRange(periods, c.Seq, s.cfg.Batch)
	if !ok {
		return c, nil
	}
	// The head first: the events up to it were committed with it, so all of them are
	// read below; one appended meanwhile waits for the next batch.
	head, err := tables.Head(ctx, t.ID)
	if err != nil || head < from {
		return c, err
	}
	to = min(to, head)
	var events []audit.Event
	err = s.DB.Trail().FilteredAuditEvents(ctx, t.ID, mdm.AuditFilter{AfterSeq: from - 1, UpToSeq: to}, func(e audit.Event) error {
		events = append(events, e)
		return nil
	})
	if err != nil {
		return c, err
	}
	now := s.Settings.Now()
	c.UpdatedAt = now
	if len(events) == 0 {
		// The events of the range were removed after their retention period; the ones
		// after them are next.
		c.Seq, c.Failures, c.LastError, c.FailingSince = to, 0, "", nil
		return c, s.progress(ctx, &c, now.Add(s.cfg.Hold))
	}
	if sendErr := sink.Send(ctx, t, events); sendErr != nil {
		c.Failures++
		c.LastError = truncate(sendErr.Error(), 500)
		if c.FailingSince == nil {
			c.FailingSince = &now
		}
		// The hold lasts over the pause, so that no other job starts meanwhile.
		return c, s.progress(ctx, &c, now.Add(s.backoff(c.Failures)+s.cfg.Hold))
	}
	c.Seq, c.Failures, c.LastError, c.FailingSince, c.SentAt = events[len(events)-1].Seq, 0, "", nil, &now
	return c, s.progress(ctx, &c, now.Add(s.cfg.Hold))
}

// errLostHold ends a job whose hold on the cursor passed and was taken by another.
var errLostHold = errors.New("the delivery's hold on the cursor passed")

func (s *Service) progress(ctx context.Context, c *Cursor, until time.Time) error {
	held, err := s.Tables(s.DB).Progress(ctx, c, until)
	if err == nil && !held {
		return errLostHold
	}
	return err
}

// finish lets go of the cursor when nothing is left to send, in a transaction that holds
// the lock of the chain's head, so that an event appended meanwhile is either seen here
// (and the job goes on) or appended after the cursor is free (and queues a new job).
func (s *Service) finish(ctx context.Context, c Cursor) (done bool, err error) {
	err = s.DB.Atomic(ctx, func(tx mdm.Store) error {
		tables := s.Tables(tx)
		head, err := tables.LockHead(ctx, c.TenantID)
		if err != nil {
			return err
		}
		periods, err := tables.Periods(ctx, c.TenantID)
		if err != nil {
			return err
		}
		if from, _, ok := nextRange(periods, c.Seq, 1); ok && from <= head {
			return nil
		}
		done = true
		return tables.Release(ctx, c.TenantID, c.Sink, c.Runner)
	})
	return done, err
}

// backoff doubles the pause with every failure in a row, from MinBackoff to MaxBackoff.
func (s *Service) backoff(failures int) time.Duration {
	d := s.cfg.MinBackoff
	for i := 1; i < failures && d < s.cfg.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, s.cfg.MaxBackoff)
}

// nextRange returns the seqs of the next batch after cursor that a period covers, from
// and to included; ok is false when no period covers an event after cursor.
func nextRange(periods []Period, cursor int64, batch int) (from, to int64, ok bool) {
	for _, p := range periods {
		if !p.Open() && *p.ToSeq <= cursor {
			continue
		}
		from = max(cursor+1, p.FromSeq)
		to = from + int64(batch) - 1
		if !p.Open() {
			to = min(to, *p.ToSeq)
		}
		return from, to, true
	}
	return 0, 0, false
}

// truncate shortens a receiver's reason for the cursor row, keeping it valid UTF-8
// without NUL, which PostgreSQL refuses in text.
func truncate(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "")
}
