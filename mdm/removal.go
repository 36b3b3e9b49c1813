package mdm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
)

// Certificates is what the domain needs of the CA: taking back the certificates of an
// enrolment, so that mail, VPN and Wi-Fi that trust the CA stop accepting the device.
type Certificates interface {
	// RevokeEnrolment revokes every certificate of the enrolment that is still valid and
	// returns how many; repeating it revokes nothing more and is no error.
	RevokeEnrolment(ctx context.Context, tenantID, enrolmentID, reason string) (int, error)
}

// WithCertificates gives the service the CA, for removals.
func WithCertificates(c Certificates) Option {
	return func(s *Service) { s.certs = c }
}

// RemoveDevice removes a device's work container: the device moves to "removing", the
// platform is ordered to remove the work data (never the whole phone), and the device's
// certificates are revoked. The platform confirms the removal later, which moves the
// device to "removed". Calling it again on a device that is being removed repeats the
// revocation, so an interrupted removal can simply be retried.
func (s *Service) RemoveDevice(ctx context.Context, actor string, t Tenant, deviceID, reason string) error {
	if s.certs == nil {
		return errors.New("remove device: no CA configured")
	}
	err := s.atomic(ctx, func(tx Store, at time.Time) error {
		d, err := tx.Devices().Device(ctx, t.ID, deviceID)
		if err != nil {
			return fmt.Errorf("device %s: %w", deviceID, err)
		}
		return OrderRemoval(ctx, tx, at, actor, t.ID, d, reason)
	})
	if err != nil {
		return err
	}
	return s.RevokeRemoved(ctx, actor, t.ID, deviceID, reason)
}

// OrderRemoval moves d to "removing" and queues the removal of its work data, with its
// audit event, in the caller's transaction. A device that is removed or being removed is
// left as it is.
func OrderRemoval(ctx context.Context, tx Store, at time.Time, actor, tenantID string, d Device, reason string) error {
	return orderRemoval(ctx, tx, at, actor, tenantID, d, reason, CommandRemoveWorkData, audit.DeviceRemove)
}

// orderRemoval moves d to "removing" and queues the command of the kind that ends its
// enrolment (removing the work data, or wiping the whole phone), recorded as action.
func orderRemoval(ctx context.Context, tx Store, at time.Time, actor, tenantID string, d Device, reason string, kind CommandKind, action audit.Action) error {
	switch d.State {
	case DeviceRemoved, DeviceRemoving:
		return nil
	}
	if err := tx.Devices().SetDeviceState(ctx, tenantID, d.ID, d.State, DeviceRemoving, at); err != nil {
		return err
	}
	cmd := Command{ID: NewID(), DeviceID: d.ID, Kind: kind, Payload: EmptyJSONObject,
		State: CommandQueued, CreatedAt: at}
	if err := QueueCommand(ctx, tx, tenantID, &cmd); err != nil {
		return err
	}
	_, err := tx.AppendAudit(ctx, tenantID, at, audit.Record{Actor: actor, Action: action, Subject: audit.Device.Of(d.ID),
		Details: audit.Fields(map[string]any{"from_state": d.State, "reason": reason, "command": cmd.ID})})
	return err
}

// RevokeRemoved revokes the certificates of a device whose removal was ordered, and records
// how many went.
func (s *Service) RevokeRemoved(ctx context.Context, actor, tenantID, deviceID, reason string) error {
	n, err := s.certs.RevokeEnrolment(ctx, tenantID, deviceID, reason)
	if err != nil {
		return fmt.Errorf("revoke certificates of device %s (the removal is recorded; repeat it to retry): %w", deviceID, err)
	}
	if n == 0 {
		return nil
	}
	return s.Record(ctx, tenantID, audit.Record{Actor: actor, Action: audit.DeviceRevokeCerts, Subject: audit.Device.Of(deviceID),
		Details: audit.Fields(map[string]any{"certificates": n})})
}

// ConfirmRemoval records that a device's work container is gone: the phone reported that
// its enrolment was removed (the employee removed the work profile, or carried out a
// removal ordered by RemoveDevice). The device becomes "removed" and its certificates are
// revoked. A device that is removed already is left as it is.
func (s *Service) ConfirmRemoval(ctx context.Context, actor, tenantID, deviceID, reason string) error {
	removed := false
	err := s.atomic(ctx, func(tx Store, at time.Time) error {
		d, err := tx.Devices().Device(ctx, tenantID, deviceID)
		if err != nil {
			return fmt.Errorf("device %s: %w", deviceID, err)
		}
		if d.State == DeviceRemoved {
			return nil
		}
		if err := tx.Devices().SetDeviceState(ctx, tenantID, d.ID, d.State, DeviceRemoved, at); err != nil {
			return err
		}
		was := d.State
		d.State = DeviceRemoved
		// A removed device has no verdict (ComplianceNone): its rules end with it.
		if err := SettleVerdicts(ctx, tx, at, tenantID, []Device{d}, []Verdict{{}}); err != nil {
			return err
		}
		removed = true
		_, err = tx.AppendAudit(ctx, tenantID, at, audit.Record{Actor: actor, Action: audit.DeviceRemoved, Subject: audit.Device.Of(d.ID),
			Details: audit.Fields(map[string]any{"from_state": was, "reason": reason})})
		return err
	})
	if err != nil || !removed || s.certs == nil {
		return err
	}
	return s.RevokeRemoved(ctx, actor, tenantID, deviceID, reason)
}
