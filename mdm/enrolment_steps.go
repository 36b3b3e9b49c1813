package mdm

import (
	"context"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
)

// The platform reports the steps of an enrolment as the phone takes them: its MDM client
// makes first contact under an enrolment ID of the platform (invited → enrolling), then
// completes the channel (enrolling → active).

// CanBeginEnrolment reports whether the device may (again) make first contact under the
// platform's enrolment ID: before it is active under any ID, or when it is active under
// this one (a phone authenticating its enrolment anew). Platforms check it before they
// store anything of the contact; BeginEnrolment checks it again in its transaction.
func (d Device) CanBeginEnrolment(platformID string) error {
	switch {
	case platformID == "":
		return fmt.Errorf("%w: no enrolment ID", ErrInvalid)
	case d.State == DeviceInvited || d.State == DeviceEnrolling:
		return nil
	case d.State == DeviceActive && d.PlatformID == platformID:
		return nil
	}
	return fmt.Errorf("%w: device %s is %s under enrolment %q and cannot begin enrolment %q", ErrConflict, d.ID, d.State, d.PlatformID, platformID)
}

// BeginEnrolment records the phone's first contact under the platform's enrolment ID: the
// device takes the ID and moves from invited to enrolling. Repeating it is harmless; a
// phone that starts over before it is active takes the new ID.
func (s *Service) BeginEnrolment(ctx context.Context, tenantID, deviceID, platformID string) error {
	return s.atomic(ctx, func(tx Store, at time.Time) error {
		d, err := tx.Device(ctx, tenantID, deviceID)
		if err != nil {
			return fmt.Errorf("device %s: %w", deviceID, err)
		}
		if err := d.CanBeginEnrolment(platformID); err != nil {
			return err
		}
		if d.PlatformID == platformID && d.State != DeviceInvited {
			return nil
		}
		if d.PlatformID != platformID {
			if err := tx.SetDevicePlatformID(ctx, tenantID, d.ID, platformID, at); err != nil {
				return fmt.Errorf("device %s: %w", d.ID, err)
			}
		}
		if d.State == DeviceInvited {
			if err := tx.SetDeviceState(ctx, tenantID, d.ID, DeviceInvited, DeviceEnrolling, at); err != nil {
				return err
			}
		}
		_, err = tx.AppendAudit(ctx, tenantID, at, audit.Record{Actor: "device:" + d.ID, Action: audit.DeviceEnrolBegin,
			Subject: audit.Device.Of(d.ID), Details: audit.Fields(map[string]any{"platform": d.Platform, "platform_id": platformID})})
		return err
	})
}

// CompleteEnrolment records that the phone's management channel is complete: the device
// moves from enrolling to active. For a device that is active already it does nothing.
func (s *Service) CompleteEnrolment(ctx context.Context, tenantID, deviceID string) error {
	return s.atomic(ctx, func(tx Store, at time.Time) error {
		d, err := tx.Device(ctx, tenantID, deviceID)
		if err != nil {
			return fmt.Errorf("device %s: %w", deviceID, err)
		}
		if d.State == DeviceActive {
			return nil
		}
		if err := tx.SetDeviceState(ctx, tenantID, d.ID, DeviceEnrolling, DeviceActive, at); err != nil {
			return err
		}
		if _, err = tx.AppendAudit(ctx, tenantID, at, audit.Record{Actor: "device:" + d.ID, Action: audit.DeviceEnrolComplete,
			Subject: audit.Device.Of(d.ID), Details: audit.Fields(map[string]any{"platform": d.Platform, "platform_id": d.PlatformID})}); err != nil {
			return err
		}
		// The new device gets its policy's apps and settings.
		if d.WorkPolicyID == nil {
			return nil
		}
		p, err := tx.WorkPolicy(ctx, tenantID, *d.WorkPolicyID)
		if err != nil {
			return fmt.Errorf("work policy of device %s: %w", d.ID, err)
		}
		return EnqueuePolicyForNewDevice(ctx, tx, tenantID, p, at)
	})
}
