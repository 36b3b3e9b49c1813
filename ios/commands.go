package ios

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	apple "github.com/micromdm/nanomdm/mdm"
	"github.com/micromdm/plist"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/jobs"
	"github.com/trennwand/trennwand/mdm/store"
)

// Queue keeps the MDM commands waiting for enrolments (ios/storage has it). then runs in
// the transaction that queued the command, with the enrolments that got it.
type Queue interface {
	EnqueueCommandThen(ctx context.Context, ids []string, cmd *apple.Command, then func(tx *store.Tx, queued []string) error) (map[string]error, error)
}

// ErrPrivateCommand refuses a command that acts on the employee's private phone, or on the
// private side of any phone. It is mdm.ErrInvalid, so that a domain command refused here
// is marked failed, never tried again.
var ErrPrivateCommand = fmt.Errorf("%w: the command acts on the employee's private phone, which trennwand never does", mdm.ErrInvalid)

// neverRequestTypes are the MDM commands trennwand sends to no phone at all: clearing its
// passcode, locating it, sounding it, activation lock, and the list of every installed
// app, which names the employee's private apps.
var neverRequestTypes = []string{
	"ClearPasscode", "DeviceLocation", "PlayLostModeSound",
	"ActivationLockBypassCode", "ClearActivationLockBypassCode", "InstalledApplicationList",
}

// deviceRequestTypes are the MDM commands that act on the whole phone: locking and
// erasing it, and lost mode. They reach company-owned phones only, which a device
// enrolment manages; on the employee's own phone, a User Enrolment, trennwand refuses them
// before they are queued (User Enrolment forbids most of them on the phone's side too).
// "Wipe" on a private phone means removing the enrolment profile, which takes the work
// volume with it.
var deviceRequestTypes = []string{"EraseDevice", "DeviceLock", "EnableLostMode", "DisableLostMode"}

// deviceQueries are the DeviceInformation queries trennwand asks, by ownership: of the
// employee's own phone its OS version alone (for the compliance rules); of a company-owned
// one what the employer needs of its device, model, serial number, OS version and storage
// capacity. Never its name, phone number, network addresses or location.
var deviceQueries = map[bool][]string{
	false: {"OSVersion"},
	true:  {"OSVersion", "SerialNumber", "Model", "ModelName", "DeviceCapacity"},
}

// Enqueue queues an MDM command for the enrolments and returns, per enrolment, why it was
// not queued there (see storage.EnqueueCommand). Every command bound for a phone goes
// through here: a command that acts on the employee's private phone is refused with
// ErrPrivateCommand and nothing is queued — one that no phone gets, one that acts on the
// whole phone unless every enrolment is of a company-owned device, or a device
// information query beyond what the ownership allows. The request type and the queries
// are read from the command's plist itself, so that a command cannot pass under another
// name.
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
	if decoded.CommandUUID != cmd.CommandUUID {
		return nil, fmt.Errorf("enqueue %s: the command's plist has the UUID %s", cmd.CommandUUID, decoded.CommandUUID)
	}
	if err := p.allowed(ctx, ids, cmd.Command.RequestType, decoded); err != nil {
		return nil, fmt.Errorf("enqueue %s: %w", cmd.CommandUUID, err)
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

// allowed is the privacy gate: it refuses, with ErrPrivateCommand, a command that no
// phone gets, a command on the whole phone for an enrolment that is not of a company-owned
// device, and a device information query beyond what the ownership of every enrolment
// allows. claimed is the request type the caller names; decoded the command's own plist.
func (p *Platform) allowed(ctx context.Context, ids []string, claimed string, decoded *apple.Command) error {
	types := []string{claimed, decoded.Command.RequestType}
	for _, typ := range types {
		if slices.Contains(neverRequestTypes, typ) {
			return fmt.Errorf("%w: %s", ErrPrivateCommand, typ)
		}
	}
	whole := slices.ContainsFunc(types, func(typ string) bool { return slices.Contains(deviceRequestTypes, typ) })
	queries, asks := informationQueries(decoded)
	if !whole && !asks {
		return nil
	}
	owned, err := p.store.CompanyOwned(ctx, ids)
	if err != nil {
		return err
	}
	company := len(ids) > 0 && len(owned) == len(slices.Compact(slices.Sorted(slices.Values(ids))))
	if whole && !company {
		return fmt.Errorf("%w: %s reaches company-owned devices only", ErrPrivateCommand, decoded.Command.RequestType)
	}
	for _, q := range queries {
		if !slices.Contains(deviceQueries[company], q) {
			return fmt.Errorf("%w: DeviceInformation asks for %s", ErrPrivateCommand, q)
		}
	}
	return nil
}

// informationQueries reads the queries of a DeviceInformation command; asks is false for
// any other command.
func informationQueries(cmd *apple.Command) (queries []string, asks bool) {
	if cmd.Command.RequestType != "DeviceInformation" {
		return nil, false
	}
	var body struct{ Command struct{ Queries []string } }
	if err := plist.Unmarshal(cmd.Raw, &body); err != nil {
		return []string{"unreadable queries"}, true
	}
	if len(body.Command.Queries) == 0 {
		// Without Queries a phone answers every query it knows.
		return []string{"every query"}, true
	}
	return body.Command.Queries, true
}
