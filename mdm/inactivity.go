package mdm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
)

// DeviceInactivity is a device flagged by the inactivity rule: it had no contact for the
// tenant's InactivityDays. After the grace period the tenant's action is carried out,
// unless the device reported again in between.
type DeviceInactivity struct {
	TenantID      string
	DeviceID      string
	FlaggedAt     time.Time
	LastContactAt *time.Time // the device's last contact when it was flagged
	MailedAt      *time.Time
	ActedAt       *time.Time
	Action        string // what was done after the grace period; empty until then
}

// InactivityStore keeps the flags of the inactivity rule.
type InactivityStore interface {
	// InactiveDevices returns up to limit of the tenant's active devices whose last contact
	// (or, without one, their creation) lies before `before` and that are not flagged.
	InactiveDevices(ctx context.Context, tenantID string, before time.Time, limit int) ([]Device, error)
	// FlagInactive stores a new flag; ErrConflict when the device is flagged already.
	FlagInactive(ctx context.Context, tenantID string, f *DeviceInactivity) error
	// DueInactivity returns up to limit of the tenant's flags made before `before` that
	// were not acted on.
	DueInactivity(ctx context.Context, tenantID string, before time.Time, limit int) ([]DeviceInactivity, error)
	// DeviceInactivity returns the device's flag; ErrNotFound when it has none.
	DeviceInactivity(ctx context.Context, tenantID, deviceID string) (DeviceInactivity, error)
	// SetInactivityActed records the action on a flag; ErrConflict when it was acted on.
	SetInactivityActed(ctx context.Context, tenantID, deviceID, action string, at time.Time) error
	// SetInactivityMailed records that the notices went out; ErrConflict when they had.
	SetInactivityMailed(ctx context.Context, tenantID, deviceID string, at time.Time) error
	// ClearInactivity removes the device's flag.
	ClearInactivity(ctx context.Context, tenantID, deviceID string) error
}

// InactivityJob applies every tenant's inactivity rule. It runs periodically; each step
// (flag, notify, act) happens once per device however often it runs.
type InactivityJob struct{}

// Kind names the job for the queue.
func (InactivityJob) Kind() string { return "inactivity_check" }

// InactivityResult counts what one run of the inactivity rule did.
type InactivityResult struct {
	Flagged, Locked, Removed, Revoked, Cleared int
}

// What the rule did after the grace period, as stored on the flag and in the audit event.
const (
	inactivityLocked  = "locked"
	inactivityRemoved = "removed"
	inactivityRevoked = "certificates_revoked" // a platform that cannot lock: access ends instead
	inactivityNone    = "none"                 // the device was removed meanwhile
)

// inactivityBatch bounds one listing of flagged or inactive devices.
const inactivityBatch = 500

// RunInactivity carries out an InactivityJob.
func (s *Service) RunInactivity(ctx context.Context, _ InactivityJob) error {
	_, err := s.ApplyInactivityRule(ctx)
	return err
}

// ApplyInactivityRule flags, for every tenant with the rule on, the active devices that had
// no contact for InactivityDays (an audit event always; e-mail to the employee and IT when
// e-mail is configured), and carries out the tenant's action on devices flagged longer ago
// than the grace period that did not report since: the work area is locked, or on a
// platform that cannot lock it the device's certificates are revoked; or the work
// container is removed.
func (s *Service) ApplyInactivityRule(ctx context.Context) (InactivityResult, error) {
	var r InactivityResult
	tenants, err := s.store.Tenants(ctx)
	if err != nil {
		return r, err
	}
	for _, t := range tenants {
		dp, err := s.TenantDataProtection(ctx, t)
		if err != nil {
			return r, err
		}
		if dp.InactivityDays == 0 {
			continue
		}
		if err := s.flagInactive(ctx, t, dp, &r); err != nil {
			return r, fmt.Errorf("inactivity rule of %s: %w", t.Name, err)
		}
		if err := s.actOnInactive(ctx, t, dp, &r); err != nil {
			return r, fmt.Errorf("inactivity rule of %s: %w", t.Name, err)
		}
	}
	return r, nil
}

func (s *Service) flagInactive(ctx context.Context, t Tenant, dp DataProtection, r *InactivityResult) error {
	for {
		ds, err := s.store.InactiveDevices(ctx, t.ID, s.clock().AddDate(0, 0, -dp.InactivityDays), inactivityBatch)
		if err != nil {
			return err
		}
		for _, d := range ds {
			err := s.atomic(ctx, func(tx Store, at time.Time) error {
				f := DeviceInactivity{DeviceID: d.ID, FlaggedAt: at, LastContactAt: d.LastContactAt}
				if err := tx.FlagInactive(ctx, t.ID, &f); err != nil {
					return err
				}
				due := at.AddDate(0, 0, dp.InactivityGraceDays)
				_, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: ActorSystem, Action: audit.DeviceInactive, Subject: audit.Device.Of(d.ID),
					Details: audit.Fields(map[string]any{"employee": d.EmployeeID, "last_contact": d.LastContactAt,
						"days": dp.InactivityDays, "action": dp.InactivityAction, "due": due})})
				if err != nil || !s.mailNotices {
					return err
				}
				return tx.EnqueueJob(ctx, InactivityMailJob{TenantID: t.ID, DeviceID: d.ID}, JobOptions{})
			})
			switch {
			case errors.Is(err, ErrConflict):
				// Flagged by another replica meanwhile.
			case err != nil:
				return fmt.Errorf("flag device %s: %w", d.ID, err)
			default:
				r.Flagged++
			}
		}
		if len(ds) < inactivityBatch {
			return nil
		}
	}
}

func (s *Service) actOnInactive(ctx context.Context, t Tenant, dp DataProtection, r *InactivityResult) error {
	for {
		due, err := s.store.DueInactivity(ctx, t.ID, s.clock().AddDate(0, 0, -dp.InactivityGraceDays), inactivityBatch)
		if err != nil {
			return err
		}
		for _, f := range due {
			if err := s.actOnFlag(ctx, t, dp, f, r); err != nil {
				return fmt.Errorf("device %s: %w", f.DeviceID, err)
			}
		}
		if len(due) < inactivityBatch {
			return nil
		}
	}
}

// actOnFlag carries out the action on one device whose grace period ended, or clears its
// flag when it reported meanwhile. The action and the mark on the flag share a transaction,
// and the mark succeeds once, so the action is taken once across retries and replicas.
func (s *Service) actOnFlag(ctx context.Context, t Tenant, dp DataProtection, f DeviceInactivity, r *InactivityResult) error {
	reason := fmt.Sprintf("no contact for %d days and none in the %d days after the notice", dp.InactivityDays, dp.InactivityGraceDays)
	var done string
	err := s.atomic(ctx, func(tx Store, at time.Time) error {
		d, err := tx.Device(ctx, t.ID, f.DeviceID)
		if err != nil {
			return err
		}
		if reportedSince(d, f) {
			if err := tx.ClearInactivity(ctx, t.ID, d.ID); err != nil {
				return err
			}
			done = "cleared"
			_, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: ActorSystem, Action: audit.DeviceActiveAgain, Subject: audit.Device.Of(d.ID),
				Details: audit.Fields(map[string]any{"last_contact": d.LastContactAt})})
			return err
		}
		done = inactivityAction(dp.InactivityAction, d, s.CapabilitiesOf(d.Platform))
		if err := tx.SetInactivityActed(ctx, t.ID, d.ID, done, at); err != nil {
			return err
		}
		switch done {
		case inactivityLocked:
			cmd := Command{ID: NewID(), DeviceID: d.ID, Kind: CommandLockWork, Payload: EmptyJSONObject, State: CommandQueued, CreatedAt: at}
			if err := QueueCommand(ctx, tx, t.ID, &cmd); err != nil {
				return err
			}
		case inactivityRemoved:
			if err := OrderRemoval(ctx, tx, at, ActorSystem, t.ID, d, reason); err != nil {
				return err
			}
		}
		_, err = tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: ActorSystem, Action: audit.DeviceInactivityAct, Subject: audit.Device.Of(d.ID),
			Details: audit.Fields(map[string]any{"action": done, "reason": reason})})
		return err
	})
	if errors.Is(err, ErrConflict) {
		return nil // acted on by another replica meanwhile
	}
	if err != nil {
		return err
	}
	switch done {
	case "cleared":
		r.Cleared++
	case inactivityLocked:
		r.Locked++
	case inactivityRemoved:
		r.Removed++
	case inactivityRevoked:
		r.Revoked++
	}
	if (done == inactivityRemoved || done == inactivityRevoked) && s.certs != nil {
		return s.RevokeRemoved(ctx, ActorSystem, t.ID, f.DeviceID, reason)
	}
	return nil
}

// reportedSince reports whether the device had contact after it was flagged.
func reportedSince(d Device, f DeviceInactivity) bool {
	return d.LastContactAt != nil && (f.LastContactAt == nil || d.LastContactAt.After(*f.LastContactAt))
}

// inactivityAction is what the rule does to d: the tenant's choice where the platform can
// carry it out (can is what it can do). A User Enrolment has no command that locks the work area, so there the
// device's certificates are revoked instead, which ends its access to mail, VPN and Wi-Fi.
func inactivityAction(a InactivityAction, d Device, can Capability) string {
	switch {
	case d.State != DeviceActive:
		return inactivityNone
	case a == InactivityRemove:
		return inactivityRemoved
	case !can.Has(CanLockWork):
		return inactivityRevoked
	}
	return inactivityLocked
}
