package mdm

import (
	"fmt"
	"slices"
	"time"
)

// Command is an order for one device's work container, carried out by the device's
// platform. Only kinds that act on the work side exist: a command that would wipe the
// whole phone, put it in lost mode or manage activation lock cannot be represented.
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

// The command kinds. Each acts on the work container only.
const (
	CommandApplyPolicy       CommandKind = "apply_policy"        // bring work apps and settings up to the policy
	CommandInstallApp        CommandKind = "install_app"         // install or update one work app
	CommandRemoveApp         CommandKind = "remove_app"          // remove one work app
	CommandQueryWorkApps     CommandKind = "query_work_apps"     // list the managed (work) apps only
	CommandResetWorkPasscode CommandKind = "reset_work_passcode" // clear the work profile's passcode
	CommandLockWork          CommandKind = "lock_work"           // lock the work container
	CommandRemoveWorkData    CommandKind = "remove_work_data"    // remove the work container and its data
)

var commandKinds = []CommandKind{
	CommandApplyPolicy, CommandInstallApp, CommandRemoveApp, CommandQueryWorkApps,
	CommandResetWorkPasscode, CommandLockWork, CommandRemoveWorkData,
}

// privateDeviceActions are actions that other MDM products offer and that must never reach
// an employee's own phone. They are named here only to explain the refusal.
var privateDeviceActions = []string{
	"erase_device", "wipe", "device_wipe", "lost_mode", "enable_lost_mode", "activation_lock",
	"clear_activation_lock", "locate", "device_location",
}

// ParseCommandKind returns the command kind named s. Actions on the private side of a
// phone are refused with a reason, because the employer has no right to them.
func ParseCommandKind(s string) (CommandKind, error) {
	if slices.Contains(commandKinds, CommandKind(s)) {
		return CommandKind(s), nil
	}
	if slices.Contains(privateDeviceActions, s) {
		return "", fmt.Errorf("%w: command %q acts on the employee's private phone, which trennwand never does; use %q to remove the work container", ErrInvalid, s, CommandRemoveWorkData)
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
