package ios

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	apple "github.com/micromdm/nanomdm/mdm"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/jobs"
	"github.com/trennwand/trennwand/mdm/store"
)

// Queue keeps the MDM commands waiting for enrolments (ios/storage has it). then runs in
// the transaction that queued the command, with the enrolments that got it.
type Queue interface {
	EnqueueCommandThen(ctx context.Context, ids []string, cmd *apple.Command, then func(tx *store.Tx, queued []string) error) (map[string]error, error)
}

// ErrPrivateCommand refuses a command that acts on the private side of a phone.
var ErrPrivateCommand = errors.New("the command acts on the employee's private phone, which trennwand never does")

// privateRequestTypes are the MDM commands that reach beyond the work volume of a User
// Enrolment: erasing or locking the whole phone, clearing its passcode, lost mode and
// locating it, and activation lock. User Enrolment forbids most of them on the phone's
// side too; trennwand refuses them before they are queued, for every enrolment, since
// every enrolment it makes is a User Enrolment of a private phone. "Wipe" on a private
// phone means removing the enrolment profile, which takes the work volume with it.
var privateRequestTypes = []string{
	"EraseDevice", "DeviceLock", "ClearPasscode",
	"EnableLostMode", "DisableLostMode", "PlayLostModeSound", "DeviceLocation",
	"ActivationLockBypassCode", "ClearActivationLockBypassCode",
}

// Enqueue queues an MDM command for the enrolments and returns, per enrolment, why it was
// not queued there (see storage.EnqueueCommand). Every command bound for a phone goes
// through here: a command that acts on the private side of the phone is refused with
// ErrPrivateCommand and nothing is queued. The request type is read from the command's
// plist itself, so that a command cannot pass under another name.
func (p *Platform) Enqueue(ctx context.Context, ids []string, cmd *apple.Command) (map[string]error, error) {
	return p.enqueue(ctx, ids, cmd, true, nil)
}

// enqueue checks and queues a command (see Enqueue); then, if not nil, runs in the same
// transaction with the enrolments that got it, and so, when wake is set, do the jobs that
// push them. A command queued without wake waits for the phone's next push or check-in.
func (p *Platform) enqueue(ctx context.Context, ids []string, cmd *apple.Command, wake bool, then func(tx *store.Tx, queued []string) error) (map[string]error, error) {
	if cmd == nil {
		return nil, errors.New("enqueue: no command")
	}
	decoded, err := apple.DecodeCommand(cmd.Raw)
	if err != nil {
		return nil, fmt.Errorf("enqueue %s: %w", cmd.CommandUUID, err)
	}
	for _, typ := range []string{cmd.Command.RequestType, decoded.Command.RequestType} {
		if slices.Contains(privateRequestTypes, typ) {
			return nil, fmt.Errorf("enqueue %s: %w: %s", cmd.CommandUUID, ErrPrivateCommand, typ)
		}
	}
	if decoded.CommandUUID != cmd.CommandUUID {
		return nil, fmt.Errorf("enqueue %s: the command's plist has the UUID %s", cmd.CommandUUID, decoded.CommandUUID)
	}
	return p.store.EnqueueCommandThen(ctx, ids, decoded, func(tx *store.Tx, queued []string) error {
		if then != nil {
			if err := then(tx, queued); err != nil {
				return err
			}
		}
		if !wake {
			return nil
		}
		return p.wakeAt(ctx, tx, queued, time.Time{})
	})
}

// wakeAt queues, in the transaction, the pushes that wake the enrolments at the time given
// (at once if it is zero or past).
func (p *Platform) wakeAt(ctx context.Context, tx *store.Tx, ids []string, at time.Time) error {
	for _, job := range pushJobs(ids) {
		if err := tx.EnqueueJob(ctx, job, mdm.JobOptions{Queue: jobs.QueuePush, RunAt: at}); err != nil {
			return err
		}
	}
	return nil
}
