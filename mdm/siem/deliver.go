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

// DeliverJob sends a tenant's events that one sink has not taken yet. It is unique while
// it waits or runs, so that one job at a time, on whichever replica, sends them.
type DeliverJob struct {
	TenantID string `json:"tenant_id"`
	Sink     string `json:"sink"`
}

// Kind names the job's worker.
func (DeliverJob) Kind() string { return "siem_deliver" }

// CatchUpJob queues a delivery for every tenant and sink that is behind: after a job
// ended just as an event was appended, after a command line (which queues no
// deliveries) appended events or switched a feed on, after a sink was configured.
type CatchUpJob struct{}

// Kind names the job's worker.
func (CatchUpJob) Kind() string { return "siem_catch_up" }

// Queue is the job queue of the deliveries, apart from the default queue, so that a
// receiver that answers slowly holds up no other work; QueueWorkers of its jobs run at once.
const (
	Queue        = "siem"
	QueueWorkers = 4
)

// CatchUpInterval is how often the catch-up runs, and so how long an event waits at most
// for a delivery that nothing else queued.
const CatchUpInterval = 30 * time.Second

// queueOnAppend queues the deliveries of the tenant whose event e was appended, in the
// event's transaction, when its feed is on.
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

// queue queues a delivery of the tenant's events to each sink in tx.
func (s *Service) queue(ctx context.Context, tx mdm.Store, tenantID string) error {
	for _, name := range s.sinkNames() {
		if err := tx.EnqueueJob(ctx, DeliverJob{TenantID: tenantID, Sink: name}, mdm.JobOptions{Queue: Queue, Unique: true}); err != nil {
			return err
		}
	}
	return nil
}

// CatchUp queues a delivery for every tenant and sink that is behind.
func (s *Service) CatchUp(ctx context.Context, _ CatchUpJob) error {
	for name := range s.sinks {
		tenants, err := s.Tables(s.DB).Behind(ctx, name)
		if err != nil {
			return fmt.Errorf("SIEM feeds behind at %s: %w", name, err)
		}
		for _, id := range tenants {
			if err := s.DB.EnqueueJob(ctx, DeliverJob{TenantID: id, Sink: name}, mdm.JobOptions{Queue: Queue, Unique: true}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Deliver sends the tenant's events that the sink has not taken, batch after batch in
// the order of the chain, moving the sink's cursor after each batch the receiver took.
// When the receiver fails, it records the failure and returns how long to wait before
// the next attempt with the reason; again is also set when the job ran its slice and
// should continue after other jobs had their turn. Any other error is the database's.
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
	for {
		if s.Settings.Now().Sub(started) > s.cfg.Slice {
			return time.Millisecond, nil
		}
		more, failed, err := s.deliverBatch(ctx, t, sink)
		switch {
		case err != nil:
			return 0, err
		case failed != nil:
			return s.backoff(failed.Failures), fmt.Errorf("send tenant %s's audit events after %d to %s (attempt %d): %s",
				t.Name, failed.Seq, sink.Name(), failed.Failures, failed.LastError)
		case !more:
			return 0, nil
		}
	}
}

// deliverBatch sends the next batch and reports whether there may be more; failed is the
// cursor with the failure recorded when the receiver did not take the batch.
func (s *Service) deliverBatch(ctx context.Context, t mdm.Tenant, sink Sink) (more bool, failed *Cursor, err error) {
	tables := s.Tables(s.DB)
	c, err := tables.Cursor(ctx, t.ID, sink.Name())
	if errors.Is(err, mdm.ErrNotFound) {
		c, err = Cursor{TenantID: t.ID, Sink: sink.Name()}, nil
	}
	if err != nil {
		return false, nil, err
	}
	periods, err := tables.Periods(ctx, t.ID)
	if err != nil {
		return false, nil, err
	}
	from, to, ok := nextRange(periods, c.Seq, s.cfg.Batch)
	if !ok {
		return false, nil, nil
	}
	var events []audit.Event
	err = s.DB.Trail().FilteredAuditEvents(ctx, t.ID, mdm.AuditFilter{AfterSeq: from - 1, UpToSeq: to}, func(e audit.Event) error {
		events = append(events, e)
		return nil
	})
	if err != nil {
		return false, nil, err
	}
	now := s.Settings.Now()
	if len(events) == 0 {
		head, err := tables.Head(ctx, t.ID)
		if err != nil || head < from {
			return false, nil, err
		}
		// The events of the range were removed after their retention period; the ones
		// after them are next.
		c.Seq, c.UpdatedAt = to, now
		return true, nil, tables.SaveCursor(ctx, &c)
	}
	if sendErr := sink.Send(ctx, t, events); sendErr != nil {
		c.Failures++
		c.LastError = truncate(sendErr.Error(), 500)
		if c.FailingSince == nil {
			c.FailingSince = &now
		}
		c.UpdatedAt = now
		return false, &c, tables.SaveCursor(ctx, &c)
	}
	c.Seq, c.Failures, c.LastError, c.FailingSince, c.SentAt, c.UpdatedAt = events[len(events)-1].Seq, 0, "", nil, &now, now
	return true, nil, tables.SaveCursor(ctx, &c)
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
