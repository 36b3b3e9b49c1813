package ios

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
)

// What the compliance rules need of an iPhone and it sends by itself only at enrolment —
// its OS version, which changes with every update, and whether its passcode meets the
// requirements — it is asked for once a day: DeviceInformation for OSVersion alone, and
// SecurityInfo, the two queries a User Enrolment answers that the rules read. Nothing else
// is asked of the employee's own phone: no name, no serial number, no location. A
// company-owned phone is asked in the same DeviceInformation for what the employer needs
// of its own device as well: model, serial number and storage capacity (see hardware.go).
const (
	// StatusQueryEvery is how often the job looks for enrolments due for a status query.
	StatusQueryEvery = time.Hour
	// statusQueryInterval is how long an enrolment's status is trusted before it is asked
	// again.
	statusQueryInterval = 24 * time.Hour
	// statusQueryBatch is how many enrolments share one queued command, and
	// statusQueryBatches how many batches one run queues at most, so that the pushes of a
	// large installation spread over the day.
	statusQueryBatch   = 1000
	statusQueryBatches = 10
	// statusQuerySpacing is how far apart the batches of one run wake their phones: a
	// batch's pushes, and the check-ins they cause, are over before the next begins,
	// instead of 10,000 phones answering at once.
	statusQuerySpacing = 10 * time.Second
	// statusCommandPrefix starts the CommandUUID of a status query; its answer is read
	// for the compliance facts only (see reportCompliance).
	statusCommandPrefix = "status-"
)

// StatusQueryJob asks the enrolments that are due for their status.
type StatusQueryJob struct{}

// Kind names the job's worker.
func (StatusQueryJob) Kind() string { return "ios_status_query" }

// QueryStatus is the worker of StatusQueryJob: it queues the status queries for the
// enrolled phones not asked within a day, newly enrolled ones first, and records in the
// same transaction that they were asked, so that neither a restart nor a second run asks
// them again before the day is over. The queued commands wake the phones by push, one
// batch every statusQuerySpacing.
func (p *Platform) QueryStatus(ctx context.Context, _ StatusQueryJob) error {
	for batch := range statusQueryBatches {
		now := time.Now()
		ids, err := p.store.StatusDue(ctx, now.Add(-statusQueryInterval), statusQueryBatch)
		if err != nil || len(ids) == 0 {
			return err
		}
		if err := p.queueStatusQueries(ctx, ids, now, now.Add(time.Duration(batch)*statusQuerySpacing)); err != nil {
			return fmt.Errorf("status query: %w", err)
		}
	}
	return nil
}

// queueStatusQueries queues the two status queries for the enrolments, each one command
// for all of them, marks them asked, and pushes each enrolment once, at wake. The device
// information asked for follows each enrolment's ownership.
func (p *Platform) queueStatusQueries(ctx context.Context, ids []string, at, wake time.Time) error {
	owned, err := p.store.CompanyOwned(ctx, ids)
	if err != nil {
		return err
	}
	byOwnership := map[bool][]string{}
	for _, id := range ids {
		byOwnership[owned[id]] = append(byOwnership[owned[id]], id)
	}
	security, err := newCommand(statusCommandPrefix+mdm.NewID(), "SecurityInfo", nil)
	if err != nil {
		return err
	}
	// One push wakes a phone for both: it is queued with the second, once the first is.
	for _, company := range []bool{false, true} {
		if len(byOwnership[company]) == 0 {
			continue
		}
		info, err := newCommand(statusCommandPrefix+mdm.NewID(), "DeviceInformation", map[string]any{"Queries": deviceQueries[company]})
		if err != nil {
			return err
		}
		if _, err := p.enqueue(ctx, byOwnership[company], info, false, nil); err != nil {
			return err
		}
	}
	_, err = p.enqueue(ctx, ids, security, false, func(tx *store.Tx, queued []string) error {
		if err := storage.MarkStatusQueried(tx.DB(ctx), ids, at); err != nil {
			return err
		}
		return p.wakeAt(ctx, tx, queued, wake)
	})
	return err
}

// isStatusQuery reports whether an answer is to a status query.
func isStatusQuery(commandUUID string) bool {
	return strings.HasPrefix(commandUUID, statusCommandPrefix)
}
