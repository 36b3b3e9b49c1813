package mdm

import (
	"fmt"
	"slices"
	"time"
)

// Command is an order for one device, carried out by the device's platform. Most kinds
// act on the work container only; the few that act on the whole phone (a full wipe,
// locking the phone, lost mode) are allowed on a company-owned phone alone (Allowed), and
// a command that would manage activation lock or locate a phone cannot be represented.
type Command struct {
	ID         string
	TenantID   string
	DeviceID   string
	Kind       CommandKind
	Payload    JSONObject
	State      CommandState
	Error      string
	CreatedAt  time.Time
	SentAt     *time.Time
	FinishedAt *time.Time
}

// CommandKind names what a command does.
type CommandKind string

// The command kinds. The first act on the work container only; the last three act on the
// whole phone and are allowed on a company-owned phone alone (Allowed).
const (
	CommandApplyPolicy       CommandKind = "apply_policy"        // bring work apps and settings up to the policy
	CommandInstallApp        CommandKind = "install_app"         // install or update one work app
	CommandRemoveApp         CommandKind = "remove_app"          // remove one work app
	CommandQueryWorkApps     CommandKind = "query_work_apps"     // list the managed (work) apps only
	CommandResetWorkPasscode CommandKind = "reset_work_passcode" // clear the work profile's passcode
	CommandLockWork          CommandKind = "lock_work"           // lock the work container
	CommandRemoveWorkData    CommandKind = "remove_work_data"    // remove the work container and its data
	CommandLockDevice        CommandKind = "lock_device"         // lock the whole phone (company-owned only)
	CommandWipeDevice        CommandKind = "wipe_device"         // erase the whole phone (company-owned only)
	CommandStartLostMode     CommandKind = "start_lost_mode"     // put the phone into lost mode (company-owned only)
)

var commandKinds = []CommandKind{
	CommandApplyPolicy, CommandInstallApp, CommandRemoveApp, CommandQueryWorkApps,
	CommandResetWorkPasscode, CommandLockWork, CommandRemoveWorkData,
	CommandLockDevice, CommandWipeDevice, CommandStartLostMode,
}

// CommandKinds returns every command kind.
func CommandKinds() []CommandKind { return slices.Clone(commandKinds) }

// privateDeviceActions are names other MDM products give to actions on the whole phone,
// which must never reach an employee's own phone, each with the command kind that does
// it on a company-owned phone (none for those trennwand never does on any phone). They
// are named here only to explain the refusal.
var privateDeviceActions = map[string]CommandKind{
	"erase_device": CommandWipeDevice, "wipe": CommandWipeDevice, "device_wipe": CommandWipeDevice,
	"lost_mode": CommandStartLostMode, "enable_lost_mode": CommandStartLostMode,
	"activation_lock": "", "clear_activation_lock": "", "locate": "", "device_location": "",
}

// ParseCommandKind returns the command kind named s. Other products' names for actions on
// the private side of a phone are refused with a reason, because the employer has no
// right to them on the employee's own phone.
func ParseCommandKind(s string) (CommandKind, error) {
	if slices.Contains(commandKinds, CommandKind(s)) {
		return CommandKind(s), nil
	}
	if kind, ok := privateDeviceActions[s]; ok {
		also := ""
		if kind != "" {
			also = fmt.Sprintf(" (on a company-owned phone: %q)", kind)
		}
		return "", fmt.Errorf("%w: command %q acts on the employee's private phone, which trennwand never does; use %q to remove the work container%s", ErrInvalid, s, CommandRemoveWorkData, also)
	}
	return "", fmt.Errorf("%w: unknown command %q", ErrInvalid, s)
}

// CommandState is where a command stands.
type CommandState string

// The states of a command: queued → sent → acknowledged or error. A queued command that
// cannot be delivered at all goes straight to error.
const (
	CommandQueued       CommandState = "queued"
	CommandSent         CommandState = "sent"
	CommandAcknowledged CommandState = "acknowledged"
	CommandError        CommandState = "error"
)

var commandTransitions = map[CommandState][]CommandState{
	CommandQueued:       {CommandSent, CommandError},
	CommandSent:         {CommandAcknowledged, CommandError},
	CommandAcknowledged: nil,
	CommandError:        nil,
}

// CanBecome reports whether a command in state s may move to state to.
func (s CommandState) CanBecome(to CommandState) bool {
	return slices.Contains(commandTransitions[s], to)
}

// Finished reports whether the command has reached a final state.
func (s CommandState) Finished() bool {
	return s == CommandAcknowledged || s == CommandError
}
