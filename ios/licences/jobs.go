package licences

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/ios/vpp"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/jobs"
	"github.com/trennwand/trennwand/mdm/store"
)

// AssociateJob associates the tenant's pending licences, registering their employees
// with Apple first where needed.
type AssociateJob struct {
	TenantID string `json:"tenant_id"`
	// Due is the second the job was asked for, plus one: see nextSecond.
	Due time.Time `json:"due,omitzero"`
}

// Kind names the job's worker.
func (AssociateJob) Kind() string { return "ios_vpp_associate" }

// ReleaseJob gives back the licences the tenant's employees no longer need.
type ReleaseJob struct {
	TenantID string `json:"tenant_id"`
	// Due is the second the job was asked for, plus one: see nextSecond.
	Due time.Time `json:"due,omitzero"`
}

// Kind names the job's worker.
func (ReleaseJob) Kind() string { return "ios_vpp_release" }

// EventJob waits for one of Apple's asynchronous events and records its outcome.
type EventJob struct {
	TenantID string `json:"tenant_id"`
	EventID  string `json:"event_id"`
	// What is what the event does: associate or disassociate.
	What string `json:"what"`
}

// Kind names the job's worker.
func (EventJob) Kind() string { return "ios_vpp_event" }

// The kinds of events.
const (
	eventAssociate    = "associate"
	eventDisassociate = "disassociate"
)

// AssociateLicences is the worker of AssociateJob: it associates pending licences
// until none are left. One tenant's associations and releases run one at a time in a
// server (see passes).
func (lic *Service) AssociateLicences(ctx context.Context, job AssociateJob) error {
	return lic.alone(job.TenantID, func() error {
		return untilDone(func() (bool, error) { return lic.associatePending(ctx, job) })
	})
}

// ReleaseLicences is the worker of ReleaseJob: the licences to give back are
// disassociated, at most vpp.MaxPerRequest per request, each request's event recorded
// and polled like an association's; it goes on until none are left.
func (lic *Service) ReleaseLicences(ctx context.Context, job ReleaseJob) error {
	return lic.alone(job.TenantID, func() error {
		return untilDone(func() (bool, error) { return lic.releaseWaiting(ctx, job) })
	})
}

// alone runs work unless another association or release of the tenant is running in
// this server; then the job runs again a poll pause later, when that one has sent what
// it found. Jobs asked for in different seconds are different jobs (see nextSecond), and
// after a large reconciliation, or when the queue is behind, many of them are due at
// once: each would read the same licences, register the same employees with Apple and
// hold its own copy of them.
func (lic *Service) alone(tenantID string, work func() error) error {
	if _, running := lic.passes.LoadOrStore(tenantID, struct{}{}); running {
		return jobs.Later(lic.pause)
	}
	defer lic.passes.Delete(tenantID)
	return work()
}

// maxPasses bounds the passes of one job, so that rows that somehow stay waiting cannot
// keep it calling Apple for ever; the next job goes on.
const maxPasses = 100

// untilDone runs pass until it reports that it found nothing to do (or fails).
func untilDone(pass func() (bool, error)) error {
	for range maxPasses {
		worked, err := pass()
		if err != nil || !worked {
			return err
		}
	}
	return nil
}

// associatePending makes one pass over the pending licences, passPage at a time, and
// reports whether any were sent. Employees Apple does not know yet
// are registered (their client user ID is the employee's ID, tied to their managed Apple
// account); the licences of registered employees are associated, at most
// vpp.MaxPerRequest per request. Each request's event is recorded with its rows in one
// transaction and polled by a EventJob; a rate limit postpones the rest.
func (lic *Service) associatePending(ctx context.Context, job AssociateJob) (bool, error) {
	sToken, err := lic.workingToken(ctx, job.TenantID)
	if sToken == "" {
		return false, err
	}
	worked := false
	err = lic.eachLicencePage(ctx, job.TenantID, licencePending, func(pending []vppLicence) error {
		ready, err := lic.registerUsers(ctx, sToken, job.TenantID, pending)
		if err != nil {
			return err
		}
		// The rest waits for Apple to register the users (usersRegistered asks again).
		var todo []vppLicence
		for _, l := range pending {
			if ready[l.EmployeeID] {
				todo = append(todo, l)
			}
		}
		if len(todo) == 0 {
			return nil
		}
		worked = true
		return lic.perAsset(ctx, job.TenantID, "associate licences", eventAssociate, todo,
			func(adamID string, users []string) (string, error) {
				return lic.client.Associate(ctx, sToken, []vpp.AssetRef{{AdamID: adamID}}, users)
			},
			func(tx *gorm.DB, eventID, adamID string, users []string) error {
				return tx.Model(&vppLicence{}).Where("tenant_id = ? AND adam_id = ? AND employee_id IN ? AND state = ?", job.TenantID, adamID, users, licencePending).
					Updates(map[string]any{"state": licenceAssociating, "event_id": eventID, "updated_at": time.Now().UTC()}).Error
			})
	})
	return worked, err
}

// perAsset sends the licences' employees to Apple asset by asset, at most
// vpp.MaxPerRequest in a request, and records each request's event with mark in the
// transaction that queues its polling. A refusal ends it (see apiFailure); what was sent
// before stays recorded.
func (lic *Service) perAsset(ctx context.Context, tenantID, what, kind string, rows []vppLicence,
	send func(adamID string, users []string) (string, error), mark func(tx *gorm.DB, eventID, adamID string, users []string) error) error {
	byAsset := map[string][]string{}
	var order []string
	for _, l := range rows {
		if byAsset[l.AdamID] == nil {
			order = append(order, l.AdamID)
		}
		byAsset[l.AdamID] = append(byAsset[l.AdamID], l.EmployeeID)
	}
	for _, adamID := range order {
		users := byAsset[adamID]
		for start := 0; start < len(users); start += vpp.MaxPerRequest {
			part := users[start:min(start+vpp.MaxPerRequest, len(users))]
			eventID, err := send(adamID, part)
			if err != nil {
				return lic.apiFailure(ctx, tenantID, what, err)
			}
			if err := lic.startEvent(ctx, tenantID, eventID, kind, func(tx *gorm.DB) error { return mark(tx, eventID, adamID, part) }); err != nil {
				return err
			}
		}
	}
	return nil
}

// releaseWaiting makes one pass over the licences to give back, passPage at a time, and
// reports whether there were any.
func (lic *Service) releaseWaiting(ctx context.Context, job ReleaseJob) (bool, error) {
	sToken, err := lic.workingToken(ctx, job.TenantID)
	if sToken == "" {
		return false, err
	}
	worked := false
	err = lic.eachLicencePage(ctx, job.TenantID, licenceReleasing, func(rows []vppLicence) error {
		var todo []vppLicence
		for _, l := range rows {
			if l.EventID == "" {
				todo = append(todo, l)
			}
		}
		if len(todo) == 0 {
			return nil
		}
		worked = true
		return lic.perAsset(ctx, job.TenantID, "give back licences", eventDisassociate, todo,
			func(adamID string, users []string) (string, error) {
				return lic.client.Disassociate(ctx, sToken, []vpp.AssetRef{{AdamID: adamID}}, users)
			},
			func(tx *gorm.DB, eventID, adamID string, users []string) error {
				return tx.Model(&vppLicence{}).Where("tenant_id = ? AND adam_id = ? AND employee_id IN ? AND state = ? AND event_id = ''", job.TenantID, adamID, users, licenceReleasing).
					Updates(map[string]any{"event_id": eventID, "updated_at": time.Now().UTC()}).Error
			})
	})
	return worked, err
}

// awaitEvent asks Apple about an event up to pollsPerRun times, a poll pause apart, and
// reports whether it is done.
func (lic *Service) awaitEvent(ctx context.Context, sToken, tenantID, eventID string) (vpp.Event, bool, error) {
	for try := 0; ; try++ {
		ev, err := lic.client.Status(ctx, sToken, eventID)
		if err != nil {
			return ev, false, lic.apiFailure(ctx, tenantID, "ask Apple about event "+eventID, err)
		}
		if ev.Done() || try == pollsPerRun-1 {
			return ev, ev.Done(), nil
		}
		select {
		case <-ctx.Done():
			return ev, false, ctx.Err()
		case <-time.After(lic.pause):
		}
	}
}

// workingToken returns the tenant's content token, or "" when there is none to work
// with: licensing is off, no token was uploaded, or Apple refused the token.
func (lic *Service) workingToken(ctx context.Context, tenantID string) (string, error) {
	sToken, tok, err := lic.sToken(ctx, tenantID)
	if errors.Is(err, mdm.ErrNotFound) || err == nil && tok.Problem != "" {
		return "", nil
	}
	return sToken, err
}

// startEvent records what an event of Apple's is about (write, in the transaction) and
// queues the job that polls it.
func (lic *Service) startEvent(ctx context.Context, tenantID, eventID, kind string, write func(tx *gorm.DB) error) error {
	return lic.tables.Atomic(ctx, func(dom *store.Tx) error {
		tx := dom.DB(ctx)
		if err := write(tx); err != nil {
			return fmt.Errorf("record Apple's event %s: %w", eventID, err)
		}
		return dom.EnqueueJob(ctx, EventJob{TenantID: tenantID, EventID: eventID, What: kind}, mdm.JobOptions{})
	})
}

// pollsPerRun is how often one run of EventJob asks about an event, a poll pause
// apart, before it gives the worker back and runs again later.
const pollsPerRun = 4

// PollLicenceEvent is the worker of EventJob: while Apple has not finished the event
// it asks again after the poll pause; then it records the outcome.
func (lic *Service) PollLicenceEvent(ctx context.Context, job EventJob) error {
	sToken, _, err := lic.sToken(ctx, job.TenantID)
	if errors.Is(err, mdm.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	ev, done, err := lic.awaitEvent(ctx, sToken, job.TenantID, job.EventID)
	if err != nil || !done {
		if err == nil {
			err = jobs.Later(lic.pause)
		}
		return err
	}
	switch job.What {
	case eventAssociate:
		return lic.licencesAssociated(ctx, job, ev)
	case eventDisassociate:
		return lic.licencesReleased(ctx, job, ev)
	}
	return jobs.Permanent(fmt.Errorf("event %s of unknown kind %q", job.EventID, job.What))
}
