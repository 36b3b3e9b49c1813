package enrolment

import (
	"context"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/metrics"
)

// The platform reports the steps of an enrolment as the phone takes them: its MDM client
// makes first contact under an enrolment ID of the platform (invited → enrolling), then
// completes the channel (enrolling → active).

// BeginEnrolment records the phone's first contact under the platform's enrolment ID: the
// device takes the ID and moves from invited to enrolling. Repeating it is harmless; a
// phone that starts over before it is active takes the new ID.
func (s *Service) BeginEnrolment(ctx context.Context, tenantID, deviceID, platformID string) error {
	return s.atomic(ctx, func(tx scope, at time.Time) error {
		d, err := tx.Devices().Device(ctx, tenantID, deviceID)
		if err != nil {
			return fmt.Errorf("device %s: %w", deviceID, err)
		}
		if err := d.CanBeginEnrolment(platformID); err != nil {
			return err
		}
		if d.PlatformID == platformID && d.State != mdm.DeviceInvited {
			return nil
		}
		if d.PlatformID != platformID {
			if err := tx.SetDevicePlatformID(ctx, tenantID, d.ID, platformID, at); err != nil {
				return fmt.Errorf("device %s: %w", d.ID, err)
			}
		}
		if d.State == mdm.DeviceInvited {
			if err := tx.Devices().SetDeviceState(ctx, tenantID, d.ID, mdm.DeviceInvited, mdm.DeviceEnrolling, at); err != nil {
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
	var completed mdm.Platform
	err := s.atomic(ctx, func(tx scope, at time.Time) error {
		d, err := tx.Devices().Device(ctx, tenantID, deviceID)
		if err != nil {
			return fmt.Errorf("device %s: %w", deviceID, err)
		}
		if d.State == mdm.DeviceActive {
			return nil
		}
		completed = d.Platform
		if err := tx.Devices().SetDeviceState(ctx, tenantID, d.ID, mdm.DeviceEnrolling, mdm.DeviceActive, at); err != nil {
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
		p, err := tx.Policies().WorkPolicy(ctx, tenantID, *d.WorkPolicyID)
		if err != nil {
			return fmt.Errorf("work policy of device %s: %w", d.ID, err)
		}
		return mdm.EnqueuePolicyForNewDevice(ctx, tx, tenantID, p, d.ID)
	})
	if completed != "" {
		s.count(completed, err, metrics.EnrolmentCompleted)
	}
	return err
}
