package android

import (
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

// personalCommands are the AMAPI command types that act on a work profile only. Every
// other type (REBOOT, lost mode, eSIM, RELINQUISH_OWNERSHIP, …) is for company-owned
// devices and never leaves the platform.
var personalCommands = []string{"LOCK", "RESET_PASSWORD", "WIPE"}

// checkPersonalCommand refuses a command that is not for a personally owned phone's work
// profile, before any call.
func checkPersonalCommand(c *amapi.Command) error {
	if !slices.Contains(personalCommands, c.Type) {
		return fmt.Errorf("%w: AMAPI command %q is for company-owned devices; on an employee's phone only %v act, and only on the work profile", mdm.ErrInvalid, c.Type, personalCommands)
	}
	if c.Type == "WIPE" && c.WipeParams != nil && len(c.WipeParams.WipeDataFlags) > 0 {
		return fmt.Errorf("%w: wipe flags %v reach beyond the work profile", mdm.ErrInvalid, c.WipeParams.WipeDataFlags)
	}
	return nil
}

// amapiCommand is the AMAPI command of a domain command.
func amapiCommand(c mdm.Command) (*amapi.Command, error) {
	switch c.Kind {
	case mdm.CommandLockWork:
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
// deletes the work profile (RemoveWorkData); a command without an Android form fails.
// A temporary AMAPI failure leaves the command queued, for the job queue to try again.
func (p *Platform) SendCommand(ctx context.Context, t mdm.Tenant, d mdm.Device, c mdm.Command) error {
	if c.Kind == mdm.CommandRemoveWorkData {
		if err := p.RemoveWorkData(ctx, t, d); err != nil {
			return err
		}
		if err := p.svc.MarkCommandSent(ctx, t.ID, c.ID); err != nil {
			return err
		}
		return p.svc.FinishCommand(ctx, t.ID, c.ID, "")
	}
	cmd, err := amapiCommand(c)
	if err == nil {
		err = p.issue(ctx, t, d, c.ID, cmd)
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
func (p *Platform) issue(ctx context.Context, t mdm.Tenant, d mdm.Device, commandID string, cmd *amapi.Command) error {
	if err := checkPersonalCommand(cmd); err != nil {
		return err
	}
	if d.Platform != mdm.PlatformAndroid || d.PlatformID == "" {
		return fmt.Errorf("%w: device %s has no Android enrolment", mdm.ErrInvalid, d.ID)
	}
	if cmd.Type == "LOCK" {
		if err := p.checkSeparateWorkLock(ctx, t, d); err != nil {
			return err
		}
	}
	op, err := p.amapi.IssueCommand(ctx, d.PlatformID, cmd)
	if err != nil {
		return err
	}
	return p.atomic(ctx, func(tx mdm.Store, db *gorm.DB, at time.Time) error {
		if err := db.Create(&operation{OperationName: op.Name, TenantID: t.ID, CommandID: commandID, CreatedAt: at}).Error; err != nil {
			return fmt.Errorf("record operation: %w", err)
		}
		return tx.Commands().SetCommandState(ctx, t.ID, commandID, mdm.CommandQueued, mdm.CommandSent, "", at)
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

// RemoveWorkData removes the work profile from d: a WIPE command, which on a personally
// owned phone deletes the work profile and nothing else, then devices.delete, so that the
// enterprise forgets the device. A device that AMAPI does not know any more counts as
// removed. The removal is then confirmed in the domain (device removed, certificates
// revoked).
func (p *Platform) RemoveWorkData(ctx context.Context, t mdm.Tenant, d mdm.Device) error {
	if d.PlatformID != "" {
		wipe := &amapi.Command{Type: "WIPE"}
		if err := checkPersonalCommand(wipe); err != nil {
			return err
		}
		if _, err := p.amapi.IssueCommand(ctx, d.PlatformID, wipe); err != nil && !NotFound(err) {
			return fmt.Errorf("remove work profile of device %s: %w", d.ID, err)
		}
		if err := p.amapi.DeleteDevice(ctx, d.PlatformID); err != nil && !NotFound(err) {
			return fmt.Errorf("remove work profile of device %s: %w", d.ID, err)
		}
	}
	return p.svc.ConfirmRemoval(ctx, "android", t.ID, d.ID, "the work profile was removed")
}
