package mdm

import (
	"fmt"
	"strings"
)

// Ownership says whose phone an enrolment is on: the employee's own (bring your own
// device) or the employer's, on which private use is allowed (corporate owned,
// personally enabled). It is chosen on the invitation and copied to the device when the
// invitation is redeemed; a phone never chooses it, and it never changes while the
// enrolment lasts (a phone that changes hands is enrolled again).
type Ownership string

// The ownerships.
const (
	OwnershipPersonal Ownership = "personal"
	OwnershipCompany  Ownership = "company"
)

// Ownerships are the ownerships, personal first.
var Ownerships = []Ownership{OwnershipPersonal, OwnershipCompany}

// ParseOwnership returns the ownership named s: personal or company. The empty string
// means personal, so that an invitation that says nothing is for the employee's own phone.
func ParseOwnership(s string) (Ownership, error) {
	switch o := Ownership(strings.ToLower(strings.TrimSpace(s))); o {
	case OwnershipPersonal, OwnershipCompany:
		return o, nil
	case "":
		return OwnershipPersonal, nil
	}
	return "", Refuse("refusal.ownership", fmt.Errorf("%w: ownership %q: use personal (the employee's own phone) or company (the employer's phone)", ErrInvalid, s), "Ownership", s)
}

// Company reports whether the phone is the employer's. A device whose ownership is not
// known counts as the employee's own.
func (o Ownership) Company() bool { return o == OwnershipCompany }

// companyOnly are the capabilities that reach beyond the work container: on a phone that
// is the employee's own they are never used, whatever the platform could do.
const companyOnly = CanLockDevice | CanWipeDevice | CanStartLostMode | ReportsHardwareIDs | ShowsTextWhenLocked

// For returns what a platform with the capabilities c may do to a phone of the ownership:
// everything on the employer's phone, and on the employee's own phone only what acts on
// the work container. It is the privacy rule of ownership, in one place: every question
// about a device (which commands, which facts kept) goes through it.
func (c Capability) For(o Ownership) Capability {
	if o.Company() {
		return c
	}
	return c &^ companyOnly
}

// ErrPersonalDevice refuses what only the employer's phone may be asked for (a full
// wipe, locking the whole phone, lost mode) on a phone that is the employee's own.
var ErrPersonalDevice = fmt.Errorf("%w: the phone is the employee's own; only a company-owned phone can be wiped, locked as a whole or put into lost mode", ErrInvalid)

// Allowed decides whether a command of the kind k may go to a phone of the ownership o on
// a platform with the capabilities can: the privacy matrix of ownership × platform ×
// command. A command that acts on the whole phone is refused on the employee's own phone
// with ErrPersonalDevice before the platform is asked anything; one that the platform
// cannot carry out is refused as invalid.
func Allowed(o Ownership, can Capability, k CommandKind) error {
	need, needed := commandNeeds[k]
	switch {
	case !needed || can.For(o).Has(need):
		return nil
	case need&companyOnly != 0 && !o.Company():
		return Refuse("refusal.personal_device", fmt.Errorf("%w (%s)", ErrPersonalDevice, k), "Command", string(k))
	}
	return Refuse("refusal.not_carried", fmt.Errorf("%w: the device's platform cannot carry out %s", ErrInvalid, k), "Command", string(k))
}

// KeepsHardwareIDs reports whether the hardware identifiers a platform with the
// capabilities can reports of a phone of the ownership are stored: only for the
// employer's phone. Of the employee's own phone they are dropped before anything is
// written.
func KeepsHardwareIDs(o Ownership, can Capability) bool {
	return can.For(o).Has(ReportsHardwareIDs)
}

// HardwareIDs are the identifiers of a phone's hardware: its serial number, IMEI and (on
// Apple devices) UDID. They are kept only for a company-owned phone (KeepsHardwareIDs);
// for the employee's own phone they stay empty.
type HardwareIDs struct {
	SerialNumber string `gorm:"column:serial_number"`
	IMEI         string `gorm:"column:imei"`
	UDID         string `gorm:"column:udid"`
}

// maxHardwareID bounds one identifier; the longest in use (a UDID) has 40 characters.
const maxHardwareID = 64

// Check refuses identifiers that are too long or hold anything but letters, digits and
// hyphens: they come from the platform's report.
func (h HardwareIDs) Check() error {
	for _, v := range []string{h.SerialNumber, h.IMEI, h.UDID} {
		if len(v) > maxHardwareID || strings.Trim(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return fmt.Errorf("%w: hardware identifier %q", ErrInvalid, v)
		}
	}
	return nil
}

// Empty reports whether no identifier is known.
func (h HardwareIDs) Empty() bool { return h == HardwareIDs{} }
