package mdm

import "strings"

// Capability is one thing a platform can do to, or learn from, the work container of its
// devices. The core asks for capabilities, never for a platform's name, so that a rule
// ("lock the work container after the grace period") is written once and a platform that
// cannot keep it is left out by what it registered, not by an exception in the rule.
// A platform's capabilities are a set of them joined with |.
type Capability uint32

// The capabilities. A platform that lacks one is never asked for it: its devices are not
// offered the action, the action is refused when ordered, and the rule that depends on it
// finds nothing to report.
const (
	// CanLockWork: the work container can be locked on its own, leaving the phone usable.
	CanLockWork Capability = 1 << iota
	// CanResetWorkPasscode: the work container's passcode can be reset for a forgetful
	// employee.
	CanResetWorkPasscode
	// CanQueryWorkApps: the work apps installed can be asked for by a command.
	CanQueryWorkApps
	// ReportsWorkPasscode: the work container has a passcode of its own, and its state is
	// reported; without it only the phone's passcode is (whether it meets the policy).
	ReportsWorkPasscode
	// ReportsIntegrity: the platform reports whether the system is unmodified (not rooted
	// or jailbroken).
	ReportsIntegrity
	// ReportsPatchLevel: the device reports the date of its security patch.
	ReportsPatchLevel
	// RevocableWhileManaged: the device's certificates can be revoked while it stays
	// managed, because the channel it is managed through does not rest on them. Where it
	// does, a compliance rule never revokes them (the device could not even be told to
	// remove its work data any more); a removal revokes them on every platform.
	RevocableWhileManaged
	// EnrolsByPortalLink: the device is created when the employee accepts the notice on
	// the portal, which then shows the link that enrols the phone. Without it the phone
	// itself redeems the invitation when it signs in.
	EnrolsByPortalLink
	// NeedsManagedAccount: the phone enrols signed in with the employee's managed account,
	// which the invitation must name.
	NeedsManagedAccount
	// BindsCertificateKeys: the device's certificate requests are bound to one key, and an
	// administrator may allow a renewal with another.
	BindsCertificateKeys
	// AppConfigRows: a work app's managed configuration is a flat list of keys and
	// values; without it, the app describes its configuration in a schema.
	AppConfigRows
	// CanLockDevice: the whole phone can be locked, not only its work container. Used on a
	// company-owned phone only (see Capability.For).
	CanLockDevice
	// CanWipeDevice: the whole phone can be erased (a factory reset). Used on a
	// company-owned phone only.
	CanWipeDevice
	// CanStartLostMode: the phone can be put into lost mode. Used on a company-owned phone
	// only.
	CanStartLostMode
	// ReportsHardwareIDs: the platform reports the phone's hardware identifiers (serial
	// number, IMEI, UDID). Kept for a company-owned phone only.
	ReportsHardwareIDs
	// ShowsTextWhenLocked: a lock of the whole phone shows a message and a phone number on
	// its lock screen (LostModeText.OnLock). Used on a company-owned phone only.
	ShowsTextWhenLocked

	lastCapability = ShowsTextWhenLocked
)

// capabilityNames name the capabilities in tests, documentation and logs.
var capabilityNames = map[Capability]string{
	CanLockWork: "lock_work", CanResetWorkPasscode: "reset_work_passcode", CanQueryWorkApps: "query_work_apps",
	ReportsWorkPasscode: "reports_work_passcode", ReportsIntegrity: "reports_integrity", ReportsPatchLevel: "reports_patch_level",
	RevocableWhileManaged: "revocable_while_managed", EnrolsByPortalLink: "enrols_by_portal_link",
	NeedsManagedAccount: "needs_managed_account", BindsCertificateKeys: "binds_certificate_keys", AppConfigRows: "app_config_rows",
	CanLockDevice: "lock_device", CanWipeDevice: "wipe_device", CanStartLostMode: "start_lost_mode",
	ReportsHardwareIDs: "reports_hardware_ids", ShowsTextWhenLocked: "shows_text_when_locked",
}

// AllCapabilities lists every capability, one by one.
func AllCapabilities() []Capability {
	var out []Capability
	for c := Capability(1); c <= lastCapability; c <<= 1 {
		out = append(out, c)
	}
	return out
}

// Has reports whether the set c holds every capability of want.
func (c Capability) Has(want Capability) bool { return want != 0 && c&want == want }

// String names the capabilities of the set, joined with |.
func (c Capability) String() string {
	var names []string
	for _, one := range AllCapabilities() {
		if c.Has(one) {
			names = append(names, capabilityNames[one])
		}
	}
	return strings.Join(names, "|")
}

// commandNeeds is the capability a command kind needs; kinds not named here are carried
// out by every platform.
var commandNeeds = map[CommandKind]Capability{
	CommandLockWork:          CanLockWork,
	CommandResetWorkPasscode: CanResetWorkPasscode,
	CommandQueryWorkApps:     CanQueryWorkApps,
	CommandLockDevice:        CanLockDevice,
	CommandWipeDevice:        CanWipeDevice,
	CommandStartLostMode:     CanStartLostMode,
}

// Carries reports whether a platform with the capabilities c can carry out commands of
// the kind k. Whether it may, for a given phone, is Allowed's to say.
func (c Capability) Carries(k CommandKind) bool {
	need, ok := commandNeeds[k]
	return !ok || c.Has(need)
}
