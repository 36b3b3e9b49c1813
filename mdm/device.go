package mdm

import (
	"fmt"
	"slices"
	"time"
)

// Device is one enrolment of an employee's phone: the work container on it, not the phone.
// PlatformID is what the platform calls the enrolment (Apple's enrolment ID, Google's
// device name); it is empty until the platform has told us.
type Device struct {
	ID           string
	TenantID     string
	EmployeeID   string
	InvitationID *string
	WorkPolicyID *string
	Platform     Platform
	PlatformID   string
	// Ownership is copied from the invitation the device was created with and never
	// changes (see Ownership).
	Ownership Ownership `gorm:"default:personal"`
	State     DeviceState
	OSVersion string
	// Hardware are the phone's hardware identifiers, kept for a company-owned phone only
	// (KeepsHardwareIDs); empty for the employee's own phone.
	Hardware HardwareIDs `gorm:"embedded"`
	// Compliance is the device's one compliance verdict, with ComplianceUntil and
	// ComplianceReasons (one a line): what every view shows. Only compliance.VerdictOf
	// decides it.
	Compliance        Compliance `gorm:"column:verdict"`
	ComplianceUntil   *time.Time `gorm:"column:verdict_until"`
	ComplianceReasons string     `gorm:"column:verdict_reasons"`
	// ReportedCompliance, SecurityPatchLevel and NonCompliance are what the platform last
	// reported about the work container: its own word on compliance, the patch level
	// ("2026-10-05") and, for a non-compliant device, the reasons, one per line
	// ("PASSWORD_POLICIES: INSUFFICIENT_PASSWORD"). They are facts the verdict weighs.
	ReportedCompliance Compliance `gorm:"column:compliance"`
	SecurityPatchLevel string
	NonCompliance      string
	// LastContactAt is when the device was last heard from, by any message, to
	// compliance.ContactResolution (compliance.Service.RecordContact, RecordDeviceStatuses).
	LastContactAt *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// DeviceState is where an enrolment stands in its life.
type DeviceState string

// The states of an enrolment, in the order they are normally passed.
const (
	// DeviceInvited: the employee accepted the invitation on the portal and chose a platform.
	DeviceInvited DeviceState = "invited"
	// DeviceEnrolling: the phone has made first contact and is being set up.
	DeviceEnrolling DeviceState = "enrolling"
	// DeviceActive: the work container is installed and managed.
	DeviceActive DeviceState = "active"
	// DeviceRemoving: removal of the work container has been ordered and is not yet confirmed.
	DeviceRemoving DeviceState = "removing"
	// DeviceRemoved: the work container is gone and the certificates are revoked.
	DeviceRemoved DeviceState = "removed"
)

// deviceTransitions lists, for each state, the states it may move to. An enrolment can be
// given up from any state before it is removed; a removed device never comes back (the
// employee enrols again with a new invitation).
var deviceTransitions = map[DeviceState][]DeviceState{
	DeviceInvited:   {DeviceEnrolling, DeviceRemoving, DeviceRemoved},
	DeviceEnrolling: {DeviceActive, DeviceRemoving, DeviceRemoved},
	DeviceActive:    {DeviceRemoving, DeviceRemoved},
	DeviceRemoving:  {DeviceRemoved},
	DeviceRemoved:   nil,
}

// ParseDeviceState returns the state named s.
func ParseDeviceState(s string) (DeviceState, error) {
	if _, ok := deviceTransitions[DeviceState(s)]; ok {
		return DeviceState(s), nil
	}
	return "", fmt.Errorf("%w: device state %q: use invited, enrolling, active, removing or removed", ErrInvalid, s)
}

// CanBecome reports whether an enrolment in state s may move to state to.
func (s DeviceState) CanBecome(to DeviceState) bool {
	return slices.Contains(deviceTransitions[s], to)
}

// Compliance is the state of a compliance verdict (and the word a platform reports).
type Compliance string

// The states of a verdict. A platform reports only unknown, compliant or noncompliant.
const (
	// ComplianceNone is the verdict on a removed device: it has none.
	ComplianceNone         Compliance = ""
	ComplianceUnknown      Compliance = "unknown"
	ComplianceCompliant    Compliance = "compliant"
	ComplianceInGrace      Compliance = "in_grace"
	ComplianceNonCompliant Compliance = "noncompliant"
)

// DeviceFilter narrows a device listing. Zero fields do not filter.
type DeviceFilter struct {
	Platform   Platform
	State      DeviceState
	Ownership  Ownership
	EmployeeID string
	// WorkPolicyID selects the devices that have the policy.
	WorkPolicyID string
}

// CanBeginEnrolment reports whether the device may (again) make first contact under the
// platform's enrolment ID: before it is active under any ID, or when it is active under
// this one (a phone authenticating its enrolment anew). Platforms check it before they
// store anything of the contact; the enrolment checks it again in the transaction of
// BeginEnrolment.
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
