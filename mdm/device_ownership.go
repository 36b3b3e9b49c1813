package mdm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
)

// CapabilitiesFor returns what may be done to the device: what its platform registered,
// narrowed by the device's ownership (Capability.For). The dashboard and the API offer a
// device's actions by it.
func (s *Service) CapabilitiesFor(d Device) Capability {
	return s.CapabilitiesOf(d.Platform).For(d.Ownership)
}

// WipeDevice erases a company-owned phone as a whole (a factory reset), when it is lost
// or handed back: the device moves to "removing", its platform is ordered to wipe it and
// its certificates are revoked, as with a removal, and the reason is on record. On the
// employee's own phone it is refused (Allowed) before anything is queued.
func (s *Service) WipeDevice(ctx context.Context, actor string, t Tenant, deviceID, reason string) error {
	if s.certs == nil {
		return errors.New("wipe device: no CA configured")
	}
	reason, err := ParseReason(reason)
	if err != nil {
		return err
	}
	err = s.atomic(ctx, func(tx Store, at time.Time) error {
		d, err := tx.Devices().Device(ctx, t.ID, deviceID)
		if err != nil {
			return fmt.Errorf("device %s: %w", deviceID, err)
		}
		if err := Allowed(d.Ownership, s.CapabilitiesOf(d.Platform), CommandWipeDevice); err != nil {
			return fmt.Errorf("device %s: %w", d.ID, err)
		}
		if d.State != DeviceActive {
			return Refuse("refusal.not_active", fmt.Errorf("%w: device %s is %s; commands reach active devices only", ErrConflict, d.ID, d.State))
		}
		return orderRemoval(ctx, tx, at, actor, t.ID, d, reason, CommandWipeDevice, audit.DeviceWipe)
	})
	if err != nil {
		return err
	}
	return s.RevokeRemoved(ctx, actor, t.ID, deviceID, reason)
}

// ErrOwnershipChange refuses any change of a device's ownership: the employee's own phone
// never becomes the employer's (or back) while it is enrolled; it is enrolled again with
// a new invitation.
var ErrOwnershipChange = fmt.Errorf("%w: a device's ownership never changes while it is enrolled; enrol the phone again with an invitation of the other ownership", ErrConflict)

// ChangeOwnership is an administrator's or a script's attempt to set the device's
// ownership (the JSON API's PATCH of a device): asking for the ownership it has changes
// nothing and returns the device; asking for the other one is refused with
// ErrOwnershipChange and the attempt is recorded.
func (s *Service) ChangeOwnership(ctx context.Context, actor string, t Tenant, deviceID, ownership string) (Device, error) {
	o, err := ParseOwnership(ownership)
	if err != nil {
		return Device{}, err
	}
	d, err := s.store.Devices().Device(ctx, t.ID, deviceID)
	if err != nil {
		return Device{}, fmt.Errorf("device %s: %w", deviceID, err)
	}
	return d, s.RefuseOwnershipChange(ctx, actor, t.ID, d, o)
}

// RefuseOwnershipChange is the one check of an ownership someone claims for a device: an
// administrator asking for another one, or a platform reporting one (an Android phone
// enrolled as company-owned with an invitation for the employee's own phone). The
// device's own ownership is returned as nil; any other is refused with
// ErrOwnershipChange, recorded in the audit trail with who claimed what
// (RecordOwnershipRefusal), and nothing about the device changes. Platforms call it, or
// RecordOwnershipRefusal in their own transaction, before they store anything of a report.
func (s *Service) RefuseOwnershipChange(ctx context.Context, actor, tenantID string, d Device, claimed Ownership) error {
	if claimed == d.Ownership {
		return nil
	}
	err := s.atomic(ctx, func(tx Store, at time.Time) error {
		return RecordOwnershipRefusal(ctx, tx, at, actor, tenantID, d, claimed)
	})
	if err != nil {
		return err
	}
	return OwnershipChangeRefused(d)
}

// RecordOwnershipRefusal records in tx at the time at that actor claimed the ownership
// claimed for the device d, which is not d's, and that the claim was refused
// (audit.DeviceOwnershipRefused). A platform that sees the same claim again and again
// (a phone that keeps reporting it) records it once per claim.
func RecordOwnershipRefusal(ctx context.Context, tx Store, at time.Time, actor, tenantID string, d Device, claimed Ownership) error {
	_, err := tx.AppendAudit(ctx, tenantID, at, audit.Record{Actor: actor, Action: audit.DeviceOwnershipRefused, Subject: audit.Device.Of(d.ID),
		Details: audit.Fields(map[string]any{"ownership": d.Ownership, "claimed": claimed})})
	if err != nil {
		return fmt.Errorf("record the refused ownership of device %s: %w", d.ID, err)
	}
	return nil
}

// OwnershipChangeRefused is the refusal (ErrOwnershipChange) of a claim of another
// ownership for the device d.
func OwnershipChangeRefused(d Device) error {
	return Refuse("refusal.ownership_change", fmt.Errorf("device %s is %s: %w", d.ID, d.Ownership, ErrOwnershipChange))
}

// RecordHardwareIDs stores, in tx at the time at, the hardware identifiers a platform
// reported for the device, if the privacy rule of ownership lets them be kept
// (KeepsHardwareIDs): for the employee's own phone they are dropped, and nothing is
// written. Identifiers that are not well formed are refused.
func (s *Service) RecordHardwareIDs(ctx context.Context, tx Store, at time.Time, tenantID string, d Device, h HardwareIDs) error {
	if h.Empty() || h == d.Hardware || !KeepsHardwareIDs(d.Ownership, s.CapabilitiesOf(d.Platform)) {
		return nil
	}
	if err := h.Check(); err != nil {
		return fmt.Errorf("device %s: %w", d.ID, err)
	}
	return tx.Devices().SetHardwareIDs(ctx, tenantID, d.ID, h, at)
}

// ProvisioningCode returns what an invited company-owned phone scans in its setup wizard
// to be set up (Android's provisioning QR code), for IT that sets the employer's phone up
// itself once the employee has read the notice: the enrolment step of the device's
// platform, whose driver drivers hold. Any other device has none (a conflict).
func (s *Service) ProvisioningCode(ctx context.Context, t Tenant, deviceID string, drivers map[Platform]Driver) (string, error) {
	d, err := s.store.Devices().Device(ctx, t.ID, deviceID)
	if err != nil {
		return "", fmt.Errorf("device %s: %w", deviceID, err)
	}
	none := Refuse("refusal.no_provisioning", fmt.Errorf("%w: device %s is not an invited company-owned phone that is set up from a code", ErrConflict, d.ID))
	dr := drivers[d.Platform]
	if d.State != DeviceInvited || !d.Ownership.Company() || dr == nil {
		return "", none
	}
	step, err := dr.EnrolmentStep(ctx, t, d)
	if err != nil {
		return "", fmt.Errorf("enrolment step of device %s: %w", d.ID, err)
	}
	if step.QRCode == "" {
		return "", none
	}
	return step.QRCode, nil
}
