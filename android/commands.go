package android

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	amapi "google.golang.org/api/androidmanagement/v1"
	"gorm.io/gorm"

	"github.com/trennwand/trennwand/mdm"
)

// ownedCommands are the AMAPI command types the platform sends, by the phone's ownership.
// On the employee's own phone WIPE deletes the work profile and nothing else; on a
// company-owned phone WIPE would reset the whole phone, so the work profile is removed
// there with RELINQUISH_OWNERSHIP, which keeps the personal side (the whole phone is
// erased by deleting the device, wipeDevice). Every other type (REBOOT, lost mode, eSIM,
// …) never leaves the platform.
var ownedCommands = map[mdm.Ownership][]string{
	mdm.OwnershipPersonal: {"LOCK", "RESET_PASSWORD", "WIPE"},
	mdm.OwnershipCompany:  {"LOCK", "RESET_PASSWORD", "RELINQUISH_OWNERSHIP"},
}

// checkCommand refuses, before any call, a command that the phone of the ownership must
// not get.
func checkCommand(o mdm.Ownership, c *amapi.Command) error {
	allowed := ownedCommands[mdm.OwnershipPersonal]
	if o.Company() {
		allowed = ownedCommands[mdm.OwnershipCompany]
	}
	if !slices.Contains(allowed, c.Type) {
		return fmt.Errorf("%w: AMAPI command %q never goes to a %s-owned phone; only %v do", mdm.ErrInvalid, c.Type, cmp.Or(o, mdm.OwnershipPersonal), allowed)
	}
	if c.Type == "WIPE" && c.WipeParams != nil && len(c.WipeParams.WipeDataFlags) > 0 {
		return fmt.Errorf("%w: wipe flags %v reach beyond the work profile", mdm.ErrInvalid, c.WipeParams.WipeDataFlags)
	}
	return nil
}

// amapiCommand is the AMAPI command of a domain command.
func amapiCommand(c mdm.Command) (*amapi.Command, error) {
	switch c.Kind {
	case mdm.CommandLockWork, mdm.CommandLockDevice:
		return &amapi.Command{Type: "LOCK"}, nil
	case mdm.CommandResetWorkPasscode:
		var payload struct {
			NewPassword string `json:"new_password"`
		}
		if err := json.Unmarshal([]byte(c.Payload), &payload); err != nil {
			return nil, fmt.Errorf("%w: payload of command %s: %v", mdm.ErrInvalid, c.ID, err)
		}
		return &amapi.Command{Type: "RESET_PASSWORD", NewPassword: payload.NewPassword}, nil
	}
	return nil, fmt.Errorf("%w: command %q has no Android form: apps and their settings travel in the work policy", mdm.ErrInvalid, c.Kind)
}

// SendCommand hands the queued command for device d to AMAPI. Removing the work data
// deletes the work profile (RemoveWorkData), wiping a company-owned phone erases it
// (wipeDevice); a command without an Android form fails. A temporary AMAPI failure leaves
// the command queued, for the job queue to try again.
func (p *Platform) SendCommand(ctx context.Context, t mdm.Tenant, d mdm.Device, c mdm.Command) error {
	if c.Kind == mdm.CommandRemoveWorkData || c.Kind == mdm.CommandWipeDevice {
		remove := p.RemoveWorkData
		if c.Kind == mdm.CommandWipeDevice {
			remove = p.wipeDevice
		}
		if err := remove(ctx, t, d); err != nil {
			return err
		}
		if err := p.svc.MarkCommandSent(ctx, t.ID, c.ID); err != nil {
			return err
		}
		return p.svc.FinishCommand(ctx, t.ID, c.ID, "")
	}
	cmd, err := amapiCommand(c)
	if err == nil {
		err = p.issue(ctx, t, d, c, cmd)
	}
	if err != nil && !Temporary(err) {
		// A refusal is final: the command fails, with the reason.
		if ferr := p.svc.FinishCommand(ctx, t.ID, c.ID, err.Error()); ferr != nil {
			return errors.Join(err, ferr)
		}
	}
	return err
}

// issue sends one checked command to the device and records its operation; the command
// is then sent, and the COMMAND notification finishes it.
func (p *Platform) issue(ctx context.Context, t mdm.Tenant, d mdm.Device, c mdm.Command, cmd *amapi.Command) error {
	if err := mdm.Allowed(d.Ownership, Registration().Can, c.Kind); err != nil {
		return err
	}
	if err := checkCommand(d.Ownership, cmd); err != nil {
		return err
	}
	if d.Platform != mdm.PlatformAndroid || d.PlatformID == "" {
		return fmt.Errorf("%w: device %s has no Android enrolment", mdm.ErrInvalid, d.ID)
	}
	// Only locking a company-owned phone may lock the whole phone; any other LOCK goes
	// only where the work profile has a lock of its own.
	if cmd.Type == "LOCK" && c.Kind != mdm.CommandLockDevice {
		if err := p.checkSeparateWorkLock(ctx, t, d); err != nil {
			return err
		}
	}
	op, err := p.amapi.IssueCommand(ctx, d.PlatformID, cmd)
	if err != nil {
		return err
	}
	return p.atomic(ctx, func(tx mdm.Store, db *gorm.DB, at time.Time) error {
		if err := db.Create(&operation{OperationName: op.Name, TenantID: t.ID, CommandID: c.ID, CreatedAt: at}).Error; err != nil {
			return fmt.Errorf("record operation: %w", err)
		}
		return tx.Commands().SetCommandState(ctx, t.ID, c.ID, mdm.CommandQueued, mdm.CommandSent, "", at)
	})
}

// checkSeparateWorkLock refuses LOCK unless the work profile has a lock of its own. AMAPI's
// LOCK locks only the work profile when it has a separate lock; a work profile that shares
// the phone's screen lock is locked with the whole phone. So LOCK goes only to a device
// whose work policy requires the separate work lock (translate sets
// REQUIRE_SEPARATE_WORK_LOCK with the work passcode) and that does not report the password
// rules unmet, as a phone does until the employee has set the separate lock.
func (p *Platform) checkSeparateWorkLock(ctx context.Context, t mdm.Tenant, d mdm.Device) error {
	if d.WorkPolicyID == nil {
		return fmt.Errorf("%w: device %s has no work policy that requires a separate work passcode, and locking its work profile could lock the whole phone", mdm.ErrInvalid, d.ID)
	}
	wp, err := p.svc.WorkPolicy.WorkPolicy(ctx, t, *d.WorkPolicyID)
	if err != nil {
		return err
	}
	if !wp.WorkPasscodeRequired {
		return fmt.Errorf("%w: work policy %q does not require a separate work passcode; on this phone the work profile may share the screen lock, and locking it would lock the whole phone", mdm.ErrInvalid, wp.Name)
	}
	for _, reason := range strings.Split(d.NonCompliance, "\n") {
		if strings.HasPrefix(strings.ToLower(reason), "passwordpolicies") {
			return fmt.Errorf("%w: the phone has not yet set the separate work passcode its work policy requires (%s); until it has, locking the work profile could lock the whole phone", mdm.ErrInvalid, reason)
		}
	}
	return nil
}

// RemoveWorkData removes the work profile from d and nothing else. On the employee's own
// phone: a WIPE command, which there deletes the work profile only, then devices.delete,
// so that the enterprise forgets the device. On a company-owned phone both would erase
// the whole phone, so RELINQUISH_OWNERSHIP removes the work profile and the policies,
// keeps the personal side, and AMAPI forgets the device once the phone has carried it
// out. A device that AMAPI does not know any more counts as removed. The removal is then
// confirmed in the domain (device removed, certificates revoked).
func (p *Platform) RemoveWorkData(ctx context.Context, t mdm.Tenant, d mdm.Device) error {
	if d.PlatformID != "" {
		if err := p.removeWorkProfile(ctx, d); err != nil {
			return fmt.Errorf("remove work profile of device %s: %w", d.ID, err)
		}
	}
	return p.svc.ConfirmRemoval(ctx, "android", t.ID, d.ID, "the work profile was removed")
}

// removeWorkProfile has AMAPI remove the work profile of d, in the way of its ownership.
func (p *Platform) removeWorkProfile(ctx context.Context, d mdm.Device) error {
	if d.Ownership.Company() {
		relinquish := &amapi.Command{Type: "RELINQUISH_OWNERSHIP"}
		if err := checkCommand(d.Ownership, relinquish); err != nil {
			return err
		}
		if _, err := p.amapi.IssueCommand(ctx, d.PlatformID, relinquish); err != nil && !NotFound(err) {
			return err
		}
		return nil
	}
	wipe := &amapi.Command{Type: "WIPE"}
	if err := checkCommand(d.Ownership, wipe); err != nil {
		return err
	}
	if _, err := p.amapi.IssueCommand(ctx, d.PlatformID, wipe); err != nil && !NotFound(err) {
		return err
	}
	if err := p.amapi.DeleteDevice(ctx, d.PlatformID); err != nil && !NotFound(err) {
		return err
	}
	return nil
}

// wipeFlags make a wipe of a company-owned phone take its external storage too; the
// factory reset protection data goes as well (AMAPI's default), so that the phone can be
// set up again for someone else.
var wipeFlags = []string{"WIPE_EXTERNAL_STORAGE"}

// wipeDevice erases a company-owned phone as a whole: AMAPI factory-resets a company-owned
// device when it is deleted. The privacy matrix is asked once more before the call, so
// that nothing else than the employer's own phone is ever erased. The device's enrolment
// then ends like a removal.
func (p *Platform) wipeDevice(ctx context.Context, t mdm.Tenant, d mdm.Device) error {
	if err := mdm.Allowed(d.Ownership, Registration().Can, mdm.CommandWipeDevice); err != nil {
		return fmt.Errorf("wipe device %s: %w", d.ID, err)
	}
	if d.PlatformID != "" {
		if err := p.amapi.DeleteDevice(ctx, d.PlatformID, wipeFlags...); err != nil && !NotFound(err) {
			return fmt.Errorf("wipe device %s: %w", d.ID, err)
		}
	}
	return p.svc.ConfirmRemoval(ctx, "android", t.ID, d.ID, "the company-owned phone was erased")
}
