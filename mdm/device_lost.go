package mdm

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
)

// A company-owned phone that is reported lost is secured by one command: lost mode where
// the phone takes it, otherwise a lock of the whole phone. Lost mode is ordered only when
// someone reports the phone lost with a reason, never on its own.

// LostModeChecker is a Driver that tells, phone by phone, whether a phone of its platform
// takes lost mode, where the platform's capability is not enough: an iPhone takes it only
// when it is supervised (set up by Automated Device Enrollment). Without it, every
// company-owned phone of a platform that can start lost mode takes it.
type LostModeChecker interface {
	TakesLostMode(ctx context.Context, d Device) (bool, error)
}

// LostReportHold is how long a report that a phone is lost stands: within it, a second
// report orders nothing again (ReportedLostError); after it, a phone that was found and
// lost once more can be reported again.
const LostReportHold = 24 * time.Hour

// ReportedLostError answers a report for a phone that was reported lost already, within
// LostReportHold; nothing is ordered again.
type ReportedLostError struct {
	// At is when the phone was reported lost.
	At time.Time
}

func (e *ReportedLostError) Error() string {
	return fmt.Sprintf("%v: the phone was reported lost at %s already", ErrConflict, e.At.UTC().Format(time.RFC3339))
}

// Unwrap makes it ErrConflict.
func (e *ReportedLostError) Unwrap() error { return ErrConflict }

// LostCommand returns the command that secures the device when it is reported lost:
// lost mode where its platform can start it and the phone takes it (its driver dr, if a
// LostModeChecker, says), otherwise a lock of the whole phone. Whether the phone may get
// it at all is the privacy matrix's to say when it is ordered (Allowed): on the
// employee's own phone it is refused.
func (s *Service) LostCommand(ctx context.Context, d Device, dr Driver) (CommandKind, error) {
	if !s.CapabilitiesFor(d).Has(CanStartLostMode) {
		return CommandLockDevice, nil
	}
	if c, ok := dr.(LostModeChecker); ok {
		takes, err := c.TakesLostMode(ctx, d)
		if err != nil {
			return "", fmt.Errorf("lost mode of device %s: %w", d.ID, err)
		}
		if !takes {
			return CommandLockDevice, nil
		}
	}
	return CommandStartLostMode, nil
}

// ReportLost orders the command that secures a company-owned phone reported lost
// (LostCommand, with the phone's driver from drivers) on the path of every command
// ordered by hand, and records the report (audit.DeviceReportLost) with who reported it
// and the reason in the same transaction. The privacy matrix refuses it on the employee's
// own phone (ErrPersonalDevice) before anything is queued; a phone reported lost within
// LostReportHold is not ordered again (*ReportedLostError).
func (s *Service) ReportLost(ctx context.Context, actor string, t Tenant, deviceID string, drivers map[Platform]Driver, reason string) (Command, error) {
	reason, err := ParseReason(reason)
	if err != nil {
		return Command{}, err
	}
	d, err := s.store.Devices().Device(ctx, t.ID, deviceID)
	if err != nil {
		return Command{}, fmt.Errorf("device %s: %w", deviceID, err)
	}
	// The driver may read its own tables; it is asked before the transaction begins.
	kind, err := s.LostCommand(ctx, d, drivers[d.Platform])
	if err != nil {
		return Command{}, err
	}
	var cmd Command
	err = s.atomic(ctx, func(tx Store, at time.Time) error {
		d, err := tx.Devices().Device(ctx, t.ID, deviceID)
		if err != nil {
			return fmt.Errorf("device %s: %w", deviceID, err)
		}
		if err := Allowed(d.Ownership, s.CapabilitiesOf(d.Platform), kind); err != nil {
			return fmt.Errorf("device %s: %w", d.ID, err)
		}
		last, err := lastLostReport(ctx, tx, t.ID, d.ID)
		if err != nil {
			return err
		}
		if last != nil && at.Sub(*last) < LostReportHold {
			return &ReportedLostError{At: *last}
		}
		cmd, err = s.commandIn(ctx, tx, at, actor, t, d, kind, reason, audit.DeviceReportLost)
		return err
	})
	return cmd, err
}

// ReportedLost returns when the tenant's device was last reported lost, or nil if it
// never was or the report no longer stands (LostReportHold).
func (s *Service) ReportedLost(ctx context.Context, t Tenant, deviceID string) (*time.Time, error) {
	last, err := lastLostReport(ctx, s.store, t.ID, deviceID)
	if err != nil {
		return nil, err
	}
	return standing(last, s.clock()), nil
}

// StandingLostReports returns, by device ID, when each of the tenant's devices whose
// report still stands (LostReportHold) was last reported lost: what ReportedLost says
// device by device, for a list of devices in one read of the reports of the hold.
func (s *Service) StandingLostReports(ctx context.Context, t Tenant) (map[string]time.Time, error) {
	now := s.clock()
	out := map[string]time.Time{}
	err := s.store.Trail().FilteredAuditEvents(ctx, t.ID, AuditFilter{From: now.Add(-LostReportHold), Actions: []audit.Action{audit.DeviceReportLost}},
		func(e audit.Event) error {
			if id, ok := strings.CutPrefix(e.Subject, audit.Device.Of("")); ok && standing(&e.At, now) != nil {
				out[id] = e.At
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("lost reports of tenant %s: %w", t.Name, err)
	}
	return out, nil
}

// standing returns the time of the report last if that report still stands at now
// (LostReportHold); nil if it does not or there is none.
func standing(last *time.Time, now time.Time) *time.Time {
	if last == nil || now.Sub(*last) >= LostReportHold {
		return nil
	}
	return last
}

// lastLostReport returns when the device was last reported lost, in tx; nil if never.
// Reports are few, so reading them by their action is cheap.
func lastLostReport(ctx context.Context, tx Store, tenantID, deviceID string) (*time.Time, error) {
	var last *time.Time
	err := tx.Trail().FilteredAuditEvents(ctx, tenantID, AuditFilter{DeviceID: deviceID, Actions: []audit.Action{audit.DeviceReportLost}},
		func(e audit.Event) error {
			if e.Subject == audit.Device.Of(deviceID) {
				at := e.At
				last = &at
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("lost reports of device %s: %w", deviceID, err)
	}
	return last, nil
}
