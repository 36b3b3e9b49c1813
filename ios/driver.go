package ios

import (
	"context"
	"fmt"
	"strings"

	apple "github.com/micromdm/nanomdm/mdm"
	"github.com/micromdm/plist"

	"github.com/trennwand/trennwand/mdm"
)

var _ mdm.Driver = (*Platform)(nil)

// Platform is the driver of iPhones and iPads.
func (p *Platform) Platform() mdm.Platform { return mdm.PlatformIOS }

// EnrolmentStep is done in the phone's settings, signed in with the employee's managed
// Apple account: Settings → General → VPN & Device Management → Sign in to Work or School
// Account.
func (p *Platform) EnrolmentStep(ctx context.Context, _ mdm.Tenant, d mdm.Device) (mdm.EnrolmentStep, error) {
	emp, err := p.svc.Enrolment.DeviceEmployee(ctx, d)
	if err != nil {
		return mdm.EnrolmentStep{}, err
	}
	if emp.ManagedAppleID == "" {
		return mdm.EnrolmentStep{}, fmt.Errorf("%w: the employee has no managed Apple account; IT has to add it to the invitation", mdm.ErrInvalid)
	}
	return mdm.EnrolmentStep{Account: emp.ManagedAppleID}, nil
}

// SendCommand turns a domain command into the Apple command that does it: on a User
// Enrolment, or a command on the whole of a company-owned phone (see deviceCommand).
// Locking the work container or resetting its passcode has no MDM command on a User
// Enrolment; such commands are refused (mdm.ErrInvalid) with the reason, and the domain
// marks them failed.
func (p *Platform) SendCommand(ctx context.Context, t mdm.Tenant, d mdm.Device, c mdm.Command) error {
	if d.PlatformID == "" {
		return fmt.Errorf("%w: device %s has not contacted the server yet", mdm.ErrInvalid, d.ID)
	}
	uuid := commandUUID(c)
	supervised := false
	if c.Kind == mdm.CommandStartLostMode {
		var err error
		if supervised, err = p.supervised(ctx, d); err != nil {
			return err
		}
	}
	cmd, whole, err := deviceCommand(t, d, c, uuid, supervised)
	if whole {
		if err != nil {
			return err
		}
		_, err = p.enqueue(ctx, []string{d.PlatformID}, cmd, true, nil)
		return err
	}
	switch c.Kind {
	case mdm.CommandQueryWorkApps:
		cmd, err = newCommand(uuid, "ManagedApplicationList", nil)
	case mdm.CommandApplyPolicy:
		if d.WorkPolicyID == nil {
			return fmt.Errorf("%w: device %s has no work policy", mdm.ErrInvalid, d.ID)
		}
		wp, err := p.svc.WorkPolicy.WorkPolicy(ctx, t, *d.WorkPolicyID)
		if err != nil {
			return err
		}
		if err := p.ApplyPolicyToDevice(ctx, t, wp, d); err != nil {
			return err
		}
		return p.svc.FinishCommand(ctx, t.ID, c.ID, "")
	case mdm.CommandLockWork, mdm.CommandResetWorkPasscode:
		return fmt.Errorf("%w: %s: %v (the employee locks the phone; remove the work data if it is lost)", mdm.ErrInvalid, c.Kind, errNotOnUserEnrolment)
	default:
		return fmt.Errorf("%w: %s is not sent to iPhones one by one; it follows from the work policy", mdm.ErrInvalid, c.Kind)
	}
	if err != nil {
		return err
	}
	if _, err := p.enqueue(ctx, []string{d.PlatformID}, cmd, true, nil); err != nil {
		return err
	}
	return nil
}

// RemoveWorkData removes the enrolment profile from the phone, which takes the work apps,
// their data and the separate work volume with it; the phone then checks out, and the
// domain marks the device removed. Nothing else on the phone is touched. The employee's
// app licences are reconciled: without another active iPhone they are given back.
func (p *Platform) RemoveWorkData(ctx context.Context, t mdm.Tenant, d mdm.Device) error {
	if p.lic != nil {
		// The employee may need the app licences no more: have them given back.
		if err := p.lic.Reconcile(ctx, t.ID, d.EmployeeID); err != nil {
			return err
		}
	}
	if d.PlatformID == "" {
		// Never enrolled: there is nothing on the phone to remove.
		return nil
	}
	cmd, err := newCommand(newUUID(), "RemoveProfile", map[string]any{"Identifier": p.profileIdentifier()})
	if err != nil {
		return err
	}
	_, err = p.enqueue(ctx, []string{d.PlatformID}, cmd, true, nil)
	return err
}

// profileIdentifier is the PayloadIdentifier of the enrolment profiles this server hands
// out.
func (p *Platform) profileIdentifier() string {
	return reverseHost(p.cfg.PublicURL.Hostname()) + ".trennwand.enrolment"
}

// commandReport takes in a phone's answer to a command: a domain command's result, a work
// app's installation, configuration or removal, or the managed app inventory.
func (p *Platform) commandReport(ctx context.Context, d mdm.Device, r *apple.CommandResults) error {
	if r.CommandUUID == "" || r.Status == "Idle" || r.Status == "NotNow" {
		return nil
	}
	if isStatusQuery(r.CommandUUID) {
		return p.recordHardware(ctx, d, r)
	}
	ok, reason := commandStatus(r)
	if id, found := strings.CutPrefix(r.CommandUUID, domainCommandPrefix); found {
		if ok {
			reason = ""
		}
		id, erase := strings.CutPrefix(id, eraseMark)
		if err := p.svc.FinishCommand(ctx, d.TenantID, id, reason); err != nil {
			return err
		}
		switch {
		case ok && erase:
			return p.erased(ctx, d)
		case ok:
			return p.inventory(ctx, d, r)
		}
		return nil
	}
	return p.store.AppCommandResult(ctx, d.PlatformID, r.CommandUUID, ok, reason)
}

// inventory records what a ManagedApplicationList answer says about the work apps. User
// Enrolment lists managed apps only; apps that are not work apps of the device are
// ignored all the same.
func (p *Platform) inventory(ctx context.Context, d mdm.Device, r *apple.CommandResults) error {
	var list struct {
		ManagedApplicationList map[string]struct{ Status string }
	}
	if err := plist.Unmarshal(r.Raw, &list); err != nil || len(list.ManagedApplicationList) == 0 {
		return nil
	}
	status := make(map[string]string, len(list.ManagedApplicationList))
	for bundle, app := range list.ManagedApplicationList {
		status[bundle] = app.Status
	}
	return p.store.AppInventory(ctx, d.PlatformID, status)
}
