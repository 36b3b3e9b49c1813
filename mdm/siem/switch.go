package siem

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// errUnchanged undoes a switch that would not change anything, with its event.
var errUnchanged = errors.New("unchanged")

// Switch turns the tenant's feed on or off and records it in the audit trail. The event
// that switches it on is the first one sent, the one that switches it off the last; the
// events in between are never sent. Switching to the state it has changes nothing and
// records nothing.
func (s *Service) Switch(ctx context.Context, actor string, t mdm.Tenant, on bool) (Status, error) {
	action := audit.SIEMDisable
	if on {
		action = audit.SIEMEnable
	}
	err := s.Atomic(ctx, func(tx mdm.Store, at time.Time) error {
		// The event locks the chain's head: switches of one tenant run one after the other
		// from here on, so the periods read below are current.
		e, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: action, Subject: audit.Tenant.Of(t.ID)})
		if err != nil {
			return err
		}
		periods, err := s.Tables(tx).Periods(ctx, t.ID)
		if err != nil {
			return err
		}
		if isOn(periods) == on {
			return errUnchanged
		}
		if !on {
			return s.Tables(tx).ClosePeriod(ctx, t.ID, e.Seq, at)
		}
		if err := s.Tables(tx).OpenPeriod(ctx, &Period{TenantID: t.ID, FromSeq: e.Seq, FromAt: at}); err != nil {
			return err
		}
		return s.queue(ctx, tx, t.ID)
	})
	if err != nil && !errors.Is(err, errUnchanged) {
		return Status{}, fmt.Errorf("switch the SIEM feed of tenant %s: %w", t.Name, err)
	}
	return s.Status(ctx, t)
}

func isOn(periods []Period) bool { return len(periods) > 0 && periods[len(periods)-1].Open() }

// Status is how a tenant's feed stands.
type Status struct {
	Tenant mdm.Tenant
	// On tells whether the feed is on, and since when.
	On    bool
	Since time.Time
	// Head is the tenant's last event.
	Head int64
	// Sinks are the sinks that hold a cursor of the tenant or that the server delivers to.
	Sinks []SinkStatus
}

// SinkStatus is how far one sink has taken the tenant's trail.
type SinkStatus struct {
	Cursor
	// Behind counts the events of the feed's periods it has not taken yet.
	Behind int64
}

// Status returns how the tenant's feed stands for each sink that has a cursor of the
// tenant, that the service delivers to, or that is named (the sinks a command line's
// configuration gives).
func (s *Service) Status(ctx context.Context, t mdm.Tenant, sinks ...string) (Status, error) {
	sinks = append(s.sinkNames(), sinks...)
	st := Status{Tenant: t}
	periods, err := s.Tables(s.DB).Periods(ctx, t.ID)
	if err != nil {
		return st, err
	}
	if st.On = isOn(periods); st.On {
		st.Since = periods[len(periods)-1].FromAt
	}
	head, err := s.Tables(s.DB).Head(ctx, t.ID)
	if err != nil {
		return st, err
	}
	st.Head = head
	cursors, err := s.Tables(s.DB).Cursors(ctx, t.ID)
	if err != nil {
		return st, err
	}
	seen := map[string]bool{}
	for _, c := range cursors {
		seen[c.Sink] = true
		st.Sinks = append(st.Sinks, SinkStatus{Cursor: c, Behind: behind(periods, c.Seq, head)})
	}
	for _, name := range sinks {
		if !seen[name] {
			seen[name] = true
			st.Sinks = append(st.Sinks, SinkStatus{Cursor: Cursor{TenantID: t.ID, Sink: name}, Behind: behind(periods, 0, head)})
		}
	}
	return st, nil
}

// behind counts the events after cursor up to head that a period covers.
func behind(periods []Period, cursor, head int64) int64 {
	var n int64
	for _, p := range periods {
		from, to := max(p.FromSeq, cursor+1), head
		if !p.Open() {
			to = min(*p.ToSeq, head)
		}
		if to >= from {
			n += to - from + 1
		}
	}
	return n
}

// sinkNames are the names of the sinks the service delivers to, in a fixed order.
func (s *Service) sinkNames() []string {
	var names []string
	for _, name := range []string{SinkSyslog, SinkWebhook} {
		if s.sinks[name] != nil {
			names = append(names, name)
		}
	}
	return names
}
