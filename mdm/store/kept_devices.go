package store

import (
	"crypto/sha256"
	"time"
	"unique"

	"github.com/trennwand/trennwand/mdm"
)

// KeptDevices is the memory of devices by the hash of their enrolment token, for the
// Idle check-in (see Kept): a device that changes anything, or is deleted with its token,
// is dropped ("device:ID"); a token never moves to another device.
//
// It holds each device in a compact form (keptDevice), not as the mdm.Device that Load
// returns: the memory is full whenever more phones check in than it holds, and then what
// each value weighs is what the server's heap carries.
type KeptDevices struct {
	kept *Kept[[sha256.Size]byte, keptDevice]
}

// NewKeptDevices returns an empty memory of at most size devices.
func NewKeptDevices(changes *Changes, size int) *KeptDevices {
	return &KeptDevices{kept: NewKeptBy[[sha256.Size]byte](changes, size, "device", func(d keptDevice) string { return d.id }, nil)}
}

// Load returns the device of the token whose hash is tokenHash: from memory, or from read,
// whose device is then kept. A hash of another length than SHA-256's is always read.
func (k *KeptDevices) Load(tokenHash []byte, read func() (mdm.Device, error)) (mdm.Device, error) {
	if len(tokenHash) != sha256.Size {
		return read()
	}
	kd, err := k.kept.Load([sha256.Size]byte(tokenHash), func() (keptDevice, error) {
		d, err := read()
		return compactDevice(d), err
	})
	if err != nil {
		return mdm.Device{}, err
	}
	return kd.device(), nil
}

// Len returns how many devices are kept.
func (k *KeptDevices) Len() int { return k.kept.Len() }

// keptDevice is an mdm.Device in a compact form: what is the device's own (its
// identifiers, hardware, times) stays with it, and what many devices have alike (tenant,
// policy, state, OS version, compliance) is held once, as a unique handle to a
// deviceTraits, for all devices that share it. Optional identifiers and times are their
// zero value for none. device returns the mdm.Device it was made from, field for field
// (TestKeptDevicesGiveBackEveryField).
type keptDevice struct {
	id, employeeID, platformID, invitationID string
	traits                                   unique.Handle[deviceTraits]
	hardware                                 *mdm.HardwareIDs // nil for none: the employee's own phone
	complianceUntil, lastContact             time.Time
	created, updated                         time.Time
}

// deviceTraits are the fields of a device that many devices have alike.
type deviceTraits struct {
	tenantID, workPolicyID string
	platform               mdm.Platform
	ownership              mdm.Ownership
	state                  mdm.DeviceState
	osVersion              string
	compliance, reported   mdm.Compliance
	complianceReasons      string
	securityPatchLevel     string
	nonCompliance          string
}

func compactDevice(d mdm.Device) keptDevice {
	kd := keptDevice{id: d.ID, employeeID: d.EmployeeID, platformID: d.PlatformID, created: d.CreatedAt, updated: d.UpdatedAt,
		traits: unique.Make(deviceTraits{tenantID: d.TenantID, workPolicyID: deref(d.WorkPolicyID),
			platform: d.Platform, ownership: d.Ownership, state: d.State, osVersion: d.OSVersion,
			compliance: d.Compliance, reported: d.ReportedCompliance, complianceReasons: d.ComplianceReasons,
			securityPatchLevel: d.SecurityPatchLevel, nonCompliance: d.NonCompliance}),
		invitationID: deref(d.InvitationID), complianceUntil: deref(d.ComplianceUntil), lastContact: deref(d.LastContactAt)}
	if d.Hardware != (mdm.HardwareIDs{}) {
		h := d.Hardware
		kd.hardware = &h
	}
	return kd
}

// device returns the device kd was made from. Its pointers are its own: a caller that
// changes what they point to changes nothing kept.
func (kd keptDevice) device() mdm.Device {
	t := kd.traits.Value()
	d := mdm.Device{ID: kd.id, TenantID: t.tenantID, EmployeeID: kd.employeeID, InvitationID: ref(kd.invitationID),
		WorkPolicyID: ref(t.workPolicyID), Platform: t.platform, PlatformID: kd.platformID, Ownership: t.ownership,
		State: t.state, OSVersion: t.osVersion, Compliance: t.compliance, ComplianceUntil: ref(kd.complianceUntil),
		ComplianceReasons: t.complianceReasons, ReportedCompliance: t.reported, SecurityPatchLevel: t.securityPatchLevel,
		NonCompliance: t.nonCompliance, LastContactAt: ref(kd.lastContact), CreatedAt: kd.created, UpdatedAt: kd.updated}
	if kd.hardware != nil {
		d.Hardware = *kd.hardware
	}
	return d
}

// deref returns what p points to, or the zero value for nil.
func deref[T any](p *T) T {
	var v T
	if p != nil {
		v = *p
	}
	return v
}

// ref returns a pointer to a copy of v, or nil for the zero value.
func ref[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}
