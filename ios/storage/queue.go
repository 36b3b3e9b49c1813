package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/micromdm/nanomdm/mdm"
	"gorm.io/gorm"

	"github.com/trennwand/trennwand/mdm/store"
)

// EnqueueCommand queues cmd for the enrolments ids in one transaction. IDs that are not
// enrolled (unknown, or disabled by a CheckOut or a new Authenticate) are answered with
// ErrNotEnrolled in the map; if none is enrolled, nothing is stored. A command UUID that
// is still queued somewhere is refused.
func (s *Storage) EnqueueCommand(ctx context.Context, ids []string, cmd *mdm.Command) (map[string]error, error) {
	return s.EnqueueCommandThen(ctx, ids, cmd, nil)
}

// EnqueueCommandThen is EnqueueCommand that also calls then, if not nil, with the
// transaction and the enrolments that got the command, so that the work that follows a
// queued command (the push that wakes the phones) is stored with it or not at all.
func (s *Storage) EnqueueCommandThen(ctx context.Context, ids []string, cmd *mdm.Command, then func(tx *store.Tx, queued []string) error) (map[string]error, error) {
	if cmd == nil || cmd.CommandUUID == "" {
		return nil, errors.New("enqueue: command without a UUID")
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("enqueue %s: no enrolment ids", cmd.CommandUUID)
	}
	queued := make(map[string]bool, len(ids))
	errNoneEnrolled := errors.New("none enrolled")
	err := s.tables.Atomic(ctx, func(dom *store.Tx) error {
		tx := dom.DB(ctx)
		err := tx.Exec(`INSERT INTO ios_commands (command_uuid, request_type, command, created_at) VALUES (?, ?, ?, ?)`,
			cmd.CommandUUID, cmd.Command.RequestType, cmd.Raw, s.clock()).Error
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return fmt.Errorf("command %s is already queued", cmd.CommandUUID)
		} else if err != nil {
			return err
		}
		// Only enabled enrolments get the command. On PostgreSQL their rows are share-locked
		// until commit, so that a concurrent Disable either waits and then clears these
		// queue rows, or commits first and keeps its enrolment out of this insert.
		insert := `INSERT INTO ios_queue (id, command_uuid) SELECT id, ? FROM ios_enrollments WHERE id IN ? AND enabled` +
			s.forShare + ` RETURNING id`
		for _, part := range chunks(ids) {
			var got []string
			if err := tx.Raw(insert, cmd.CommandUUID, part).Scan(&got).Error; err != nil {
				return err
			}
			for _, id := range got {
				queued[id] = true
			}
		}
		if len(queued) == 0 {
			return errNoneEnrolled
		}
		if then == nil {
			return nil
		}
		got := make([]string, 0, len(queued))
		for id := range queued {
			got = append(got, id)
		}
		slices.Sort(got)
		return then(dom, got)
	})
	if err != nil && !errors.Is(err, errNoneEnrolled) {
		return nil, fmt.Errorf("enqueue %s: %w", cmd.CommandUUID, err)
	}
	var idErrs map[string]error
	for _, id := range ids {
		if !queued[id] {
			if idErrs == nil {
				idErrs = make(map[string]error)
			}
			idErrs[id] = ErrNotEnrolled
		}
	}
	return idErrs, nil
}

// StoreCommandReport records an enrolment's answer to a command. Idle carries no answer;
// NotNow is counted and keeps the command queued; any other status is final and removes
// the command from the enrolment's queue (and the command itself once no queue holds it).
func (s *Storage) StoreCommandReport(r *mdm.Request, report *mdm.CommandResults) error {
	if report.Status == "Idle" {
		// The visit is recorded by RetrieveNextCommand, which follows (see the package
		// documentation).
		return nil
	}
	// What the request has read about the enrolment's queue is out of date from here on.
	forgetVisit(r.Context())
	switch {
	case report.CommandUUID == "":
		return fmt.Errorf("command report %s from %s: no command UUID", report.Status, r.ID)
	case report.Status == "NotNow":
		err := s.conn(r.Context()).Exec(`UPDATE ios_queue SET not_now_at = COALESCE(not_now_at, ?), not_now_tally = not_now_tally + 1 WHERE id = ? AND command_uuid = ?`,
			s.clock(), r.ID, report.CommandUUID).Error
		if err != nil {
			return fmt.Errorf("store NotNow for %s from %s: %w", report.CommandUUID, r.ID, err)
		}
		return nil
	}
	res := s.conn(r.Context()).Exec(`DELETE FROM ios_queue WHERE id = ? AND command_uuid = ?`, r.ID, report.CommandUUID)
	if res.Error != nil {
		return fmt.Errorf("store %s for %s from %s: %w", report.Status, report.CommandUUID, r.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil
	}
	return s.dropOrphans(r.Context(), []string{report.CommandUUID})
}

// RetrieveNextCommand returns the oldest command queued for the enrolment, or nil. With
// skipNotNow it passes over commands the enrolment has answered NotNow. It also records
// the visit, writing last-seen only when the stored time is the resolution old or older.
func (s *Storage) RetrieveNextCommand(r *mdm.Request, skipNotNow bool) (*mdm.Command, error) {
	ctx := r.Context()
	v, err := s.visitOf(r, skipNotNow)
	if err != nil {
		return nil, fmt.Errorf("next command for %s: %w", r.ID, err)
	}
	if v.stale {
		if err := s.touch(ctx, r.ID); err != nil {
			return nil, err
		}
	}
	if !v.queued {
		return nil, nil
	}
	head := `SELECT c.command_uuid, c.request_type, c.command FROM ios_queue q JOIN ios_commands c ON c.command_uuid = q.command_uuid
WHERE q.id = ?`
	if skipNotNow {
		head += ` AND q.not_now_tally = 0`
	}
	cmd := new(mdm.Command)
	err = s.conn(ctx).Raw(head+` ORDER BY c.seq LIMIT 1`, r.ID).Row().Scan(&cmd.CommandUUID, &cmd.Command.RequestType, &cmd.Raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil // answered in the meantime
	} else if err != nil {
		return nil, fmt.Errorf("next command for %s: %w", r.ID, err)
	}
	return cmd, nil
}

// ClearQueue removes every command queued for the enrolment; for a device channel, also
// those queued for its user channels. nanomdm calls it when a device authenticates anew.
func (s *Storage) ClearQueue(r *mdm.Request) error {
	var uuids []string
	err := s.conn(r.Context()).Transaction(func(tx *gorm.DB) error {
		var err error
		uuids, err = clearQueues(tx, channelsOf(r))
		return err
	})
	if err != nil {
		return fmt.Errorf("clear queue of %s: %w", r.ID, err)
	}
	return s.dropOrphans(r.Context(), uuids)
}

// channels selects enrolment rows: a column and the value it must have.
type channels struct {
	column, value string
}

// channelsOf selects the enrolments a request speaks for: a device channel speaks for
// itself and its user channels, a user channel for itself.
func channelsOf(r *mdm.Request) channels {
	if r.ParentID != "" {
		return channels{"id", r.ID}
	}
	return channels{"device_id", r.ID}
}

// clearQueues deletes the queue rows of the enrolments and returns the commands they held.
// Call dropOrphans with them once the transaction has committed.
func clearQueues(tx *gorm.DB, ch channels) ([]string, error) {
	var uuids []string
	err := tx.Raw(`DELETE FROM ios_queue WHERE id IN (SELECT id FROM ios_enrollments WHERE `+ch.column+` = ?) RETURNING command_uuid`,
		ch.value).Scan(&uuids).Error
	return uuids, err
}

// dropOrphans deletes those of the commands that no queue holds any more. It must run
// after the transaction that deleted their queue rows has committed (see the package
// documentation).
func (s *Storage) dropOrphans(ctx context.Context, uuids []string) error {
	for _, part := range chunks(uuids) {
		err := s.conn(ctx).Exec(`DELETE FROM ios_commands WHERE command_uuid IN ? AND NOT EXISTS (SELECT 1 FROM ios_queue q WHERE q.command_uuid = ios_commands.command_uuid)`,
			part).Error
		if err != nil {
			return fmt.Errorf("drop answered commands: %w", err)
		}
	}
	return nil
}

// PruneCommands deletes every command that no queue holds, which only a crash between
// a final answer and the deletion of its command leaves behind, and returns how many it
// deleted. A periodic job may call it; nothing depends on it running.
func (s *Storage) PruneCommands(ctx context.Context) (int64, error) {
	res := s.conn(ctx).Exec(`DELETE FROM ios_commands WHERE NOT EXISTS (SELECT 1 FROM ios_queue q WHERE q.command_uuid = ios_commands.command_uuid)`)
	if res.Error != nil {
		return 0, fmt.Errorf("prune commands: %w", res.Error)
	}
	return res.RowsAffected, nil
}
