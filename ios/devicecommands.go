package ios

import (
	"context"
	"encoding/json"
	"fmt"

	apple "github.com/micromdm/nanomdm/mdm"

	"github.com/trennwand/trennwand/mdm"
)

// deviceCommandRequest is what a command on the whole phone may carry in its payload: the
// text and phone number the locked or lost phone shows.
type deviceCommandRequest struct {
	Message     string `json:"message"`
	PhoneNumber string `json:"phone_number"`
}

// deviceCommand makes the Apple command of a domain command on the whole of a company-owned
// phone; ok is false for any other kind. Locking shows the payload's message and phone
// number, and where it leaves them open the tenant's lost-mode text (lockScreen): a phone
// that cannot take lost mode is locked when it is reported lost. Erasing takes no options
// (the phone is returned or lost, so everything on it goes). Lost mode shows what
// lostScreen says, and needs a supervised phone, which only Automated Device Enrollment
// makes: for any other it is refused (mdm.ErrInvalid) with that reason.
func deviceCommand(t mdm.Tenant, d mdm.Device, c mdm.Command, uuid string, supervised bool) (cmd *apple.Command, ok bool, err error) {
	switch c.Kind {
	case mdm.CommandLockDevice, mdm.CommandWipeDevice, mdm.CommandStartLostMode:
	default:
		return nil, false, nil
	}
	if !companyOwned(d) {
		return nil, true, fmt.Errorf("%w: %s: device %s is not company-owned", ErrPrivateCommand, c.Kind, d.ID)
	}
	if c.Kind == mdm.CommandStartLostMode && !supervised {
		return nil, true, fmt.Errorf("%w: lost mode needs a supervised device, which only Automated Device Enrollment through Apple Business Manager sets up; lock the device instead", mdm.ErrInvalid)
	}
	var req deviceCommandRequest
	if len(c.Payload) > 0 {
		if err := json.Unmarshal([]byte(c.Payload), &req); err != nil {
			return nil, true, fmt.Errorf("%w: payload of %s: %v", mdm.ErrInvalid, c.Kind, err)
		}
	}
	keys := map[string]any{}
	if req.Message != "" {
		keys["Message"] = req.Message
	}
	if req.PhoneNumber != "" {
		keys["PhoneNumber"] = req.PhoneNumber
	}
	switch c.Kind {
	case mdm.CommandLockDevice:
		lockScreen(keys, t)
		cmd, err = newCommand(uuid, "DeviceLock", keys)
	case mdm.CommandWipeDevice:
		cmd, err = newCommand(uuid, "EraseDevice", nil)
	case mdm.CommandStartLostMode:
		lostScreen(keys, t)
		cmd, err = newCommand(uuid, "EnableLostMode", keys)
	}
	return cmd, true, err
}

// lostScreen fills in what a phone in lost mode shows (the keys Message, PhoneNumber and
// Footnote of EnableLostMode) where the command's payload left it open: the tenant's text
// (mdm.LostModeText), and where that sets neither a message nor a phone number, a message
// that names the tenant, since Apple takes lost mode only with one of the two.
func lostScreen(keys map[string]any, t mdm.Tenant) {
	fillScreen(keys, t.LostMode)
	_, message := keys["Message"]
	if _, phone := keys["PhoneNumber"]; !message && !phone {
		keys["Message"] = fmt.Sprintf("Dieses Gerät gehört %[1]s und wurde als verloren gemeldet. This device belongs to %[1]s and was reported lost.", t.DisplayName)
	}
}

// lockScreen fills in what a locked phone shows (the keys Message and PhoneNumber of
// DeviceLock, which has no footnote) where the command's payload left it open: the
// tenant's lost-mode text (mdm.LostModeText). Unlike lost mode a lock needs neither, and
// a lock ordered by hand is not a report of a loss, so nothing else is filled in.
func lockScreen(keys map[string]any, t mdm.Tenant) {
	fillScreen(keys, t.LostMode.OnLock(mdm.ShowsTextWhenLocked))
}

// fillScreen sets each key of the lock screen (Message, PhoneNumber, Footnote) that the
// command's payload left open to the text's field, where that is not empty.
func fillScreen(keys map[string]any, text mdm.LostModeText) {
	for key, value := range map[string]string{"Message": text.Message, "PhoneNumber": text.PhoneNumber, "Footnote": text.Footnote} {
		if _, set := keys[key]; !set && value != "" {
			keys[key] = value
		}
	}
}

// supervised reports whether the device was set up by Automated Device Enrollment, and is
// so supervised.
func (p *Platform) supervised(ctx context.Context, d mdm.Device) (bool, error) {
	h, found, err := p.store.HardwareOf(ctx, d.TenantID, d.ID)
	return found && h.Automated, err
}

var _ mdm.LostModeChecker = (*Platform)(nil)

// TakesLostMode reports whether the phone d takes lost mode: only a supervised one
// (mdm.LostModeChecker); any other is locked when it is reported lost.
func (p *Platform) TakesLostMode(ctx context.Context, d mdm.Device) (bool, error) {
	return p.supervised(ctx, d)
}

// eraseMark follows domainCommandPrefix in the CommandUUID of an EraseDevice, so that its
// acknowledgement is known for what it is: the phone is wiped.
const eraseMark = "erase-"

// commandUUID is the CommandUUID of the Apple command that carries the domain command c.
func commandUUID(c mdm.Command) string {
	if c.Kind == mdm.CommandWipeDevice {
		return domainCommandPrefix + eraseMark + c.ID
	}
	return domainCommandPrefix + c.ID
}

// erased takes in a company-owned phone's acknowledgement of EraseDevice: the phone is
// wiped, and its enrolment with it, so the device is removed (its certificates revoked)
// as after a check-out, which an erased phone never sends.
func (p *Platform) erased(ctx context.Context, d mdm.Device) error {
	return p.svc.ConfirmRemoval(ctx, "device:"+d.ID, d.TenantID, d.ID, "the company-owned device was erased")
}
