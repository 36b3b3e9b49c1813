package dataprotection

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
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
	tenants, err := s.DB.Tenants().Tenants(ctx)
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

func (s *Service) flagInactive(ctx context.Context, t mdm.Tenant, dp DataProtection, r *InactivityResult) error {
	for {
		ds, err := s.Tables(s.DB).InactiveDevices(ctx, t.ID, s.Settings.Now().AddDate(0, 0, -dp.InactivityDays), inactivityBatch)
		if err != nil {
			return err
		}
		for _, d := range ds {
			err := s.Atomic(ctx, func(tx mdm.Store, at time.Time) error {
				f := DeviceInactivity{DeviceID: d.ID, FlaggedAt: at, LastContactAt: d.LastContactAt}
				if err := s.Tables(tx).FlagInactive(ctx, t.ID, &f); err != nil {
					return err
				}
				due := at.AddDate(0, 0, dp.InactivityGraceDays)
				_, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: mdm.ActorSystem, Action: audit.DeviceInactive, Subject: audit.Device.Of(d.ID),
					Details: audit.Fields(map[string]any{"employee": d.EmployeeID, "last_contact": d.LastContactAt,
						"days": dp.InactivityDays, "action": dp.InactivityAction, "due": due})})
				if err != nil || !s.Settings.MailNotices {
					return err
				}
				return tx.EnqueueJob(ctx, InactivityMailJob{TenantID: t.ID, DeviceID: d.ID}, mdm.JobOptions{})
			})
			switch {
			case errors.Is(err, mdm.ErrConflict):
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

func (s *Service) actOnInactive(ctx context.Context, t mdm.Tenant, dp DataProtection, r *InactivityResult) error {
	for {
		due, err := s.Tables(s.DB).DueInactivity(ctx, t.ID, s.Settings.Now().AddDate(0, 0, -dp.InactivityGraceDays), inactivityBatch)
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
func (s *Service) actOnFlag(ctx context.Context, t mdm.Tenant, dp DataProtection, f DeviceInactivity, r *InactivityResult) error {
	reason := fmt.Sprintf("no contact for %d days and none in the %d days after the notice", dp.InactivityDays, dp.InactivityGraceDays)
	var done string
	err := s.Atomic(ctx, func(tx mdm.Store, at time.Time) error {
		flags := s.Tables(tx)
		d, err := tx.Devices().Device(ctx, t.ID, f.DeviceID)
		if err != nil {
			return err
		}
		if reportedSince(d, f) {
			if err := flags.ClearInactivity(ctx, t.ID, d.ID); err != nil {
				return err
			}
			done = "cleared"
			_, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: mdm.ActorSystem, Action: audit.DeviceActiveAgain, Subject: audit.Device.Of(d.ID),
				Details: audit.Fields(map[string]any{"last_contact": d.LastContactAt})})
			return err
		}
		done = inactivityAction(dp.InactivityAction, d, s.Core.CapabilitiesOf(d.Platform))
		if err := flags.SetInactivityActed(ctx, t.ID, d.ID, done, at); err != nil {
			return err
		}
		switch done {
		case inactivityLocked:
			cmd := mdm.Command{ID: mdm.NewID(), DeviceID: d.ID, Kind: mdm.CommandLockWork, Payload: mdm.EmptyJSONObject, State: mdm.CommandQueued, CreatedAt: at}
			if err := mdm.QueueCommand(ctx, tx, t.ID, &cmd); err != nil {
				return err
			}
		case inactivityRemoved:
			if err := mdm.OrderRemoval(ctx, tx, at, mdm.ActorSystem, t.ID, d, reason); err != nil {
				return err
			}
		}
		_, err = tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: mdm.ActorSystem, Action: audit.DeviceInactivityAct, Subject: audit.Device.Of(d.ID),
			Details: audit.Fields(map[string]any{"action": done, "reason": reason})})
		return err
	})
	if errors.Is(err, mdm.ErrConflict) {
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
	if (done == inactivityRemoved || done == inactivityRevoked) && s.Settings.Certificates != nil {
		return s.Core.RevokeRemoved(ctx, mdm.ActorSystem, t.ID, f.DeviceID, reason)
	}
	return nil
}

// reportedSince reports whether the device had contact after it was flagged.
func reportedSince(d mdm.Device, f DeviceInactivity) bool {
	return d.LastContactAt != nil && (f.LastContactAt == nil || d.LastContactAt.After(*f.LastContactAt))
}

// inactivityAction is what the rule does to d: the tenant's choice where the platform can
// carry it out (can is what it can do). A User Enrolment has no command that locks the work area, so there the
// device's certificates are revoked instead, which ends its access to mail, VPN and Wi-Fi.
func inactivityAction(a InactivityAction, d mdm.Device, can mdm.Capability) string {
	switch {
	case d.State != mdm.DeviceActive:
		return inactivityNone
	case a == InactivityRemove:
		return inactivityRemoved
	case !can.Has(mdm.CanLockWork):
		return inactivityRevoked
	}
	return inactivityLocked
}
