package mdm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
)

// ParseReason checks the reason an administrator states for an action on a device: it
// goes to the audit trail, so it must be there and stay readable.
func ParseReason(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 500 {
		return "", Refuse("refusal.reason", fmt.Errorf("%w: state a reason of 1 to 500 characters", ErrInvalid))
	}
	if err := checkText("the reason", s); err != nil {
		return "", err
	}
	return s, nil
}

// DeviceDetail is what an administrator sees of one device.
type DeviceDetail struct {
	Device   Device
	Employee Employee
	Commands []Command
	// Declarations are the states the device reported of its declarations; none on a
	// platform, or a device, that is not managed declaratively.
	Declarations []DeclarationState
	// ReportedLostAt is when the phone was last reported lost (ReportLost); nil if never
	// or if that report no longer stands (LostReportHold), as ReportedLost says.
	ReportedLostAt *time.Time
	// Certificates are those the device reported in its work area, with their warnings;
	// none where the platform reports none.
	Certificates []HeldCertificate
}

// ViewDevice returns a device with its employee and commands and records in the audit
// trail who looked at it: who saw an employee's data is itself on record.
func (s *Service) ViewDevice(ctx context.Context, actor string, t Tenant, deviceID string) (DeviceDetail, error) {
	var out DeviceDetail
	err := s.atomic(ctx, func(tx Store, at time.Time) error {
		d, err := tx.Devices().Device(ctx, t.ID, deviceID)
		if err != nil {
			return fmt.Errorf("device %s: %w", deviceID, err)
		}
		emp, err := tx.Devices().Employee(ctx, t.ID, d.EmployeeID)
		if err != nil {
			return fmt.Errorf("employee of device %s: %w", deviceID, err)
		}
		cmds, err := tx.Commands().Commands(ctx, t.ID, d.ID)
		if err != nil {
			return fmt.Errorf("commands of device %s: %w", deviceID, err)
		}
		decls, err := s.declarationsOf(ctx, tx, d)
		if err != nil {
			return err
		}
		lost, err := lastLostReport(ctx, tx, t.ID, d.ID)
		if err != nil {
			return err
		}
		certs, err := s.heldCertificatesOf(ctx, tx, d, at)
		if err != nil {
			return err
		}
		out = DeviceDetail{Device: d, Employee: emp, Commands: cmds, Declarations: decls, ReportedLostAt: standing(lost, at), Certificates: certs}
		_, err = tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.DeviceView, Subject: audit.Device.Of(d.ID),
			Details: audit.Fields(map[string]any{"employee": emp.ID})})
		return err
	})
	return out, err
}

// EmployeeDetail is what an administrator sees of one employee.
type EmployeeDetail struct {
	Employee Employee
	Devices  []DeviceListing
}

// ViewEmployee returns an employee with their devices and records the access in the
// audit trail.
func (s *Service) ViewEmployee(ctx context.Context, actor string, t Tenant, employeeID string) (EmployeeDetail, error) {
	var out EmployeeDetail
	err := s.atomic(ctx, func(tx Store, at time.Time) error {
		emp, err := tx.Devices().Employee(ctx, t.ID, employeeID)
		if err != nil {
			return fmt.Errorf("employee %s: %w", employeeID, err)
		}
		ds, err := tx.Devices().DevicePage(ctx, t.ID, DeviceQuery{DeviceFilter: DeviceFilter{EmployeeID: emp.ID}, Page: Page{Limit: MaxPageSize}})
		if err != nil {
			return fmt.Errorf("devices of employee %s: %w", employeeID, err)
		}
		out = EmployeeDetail{Employee: emp, Devices: ds}
		_, err = tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.EmployeeView, Subject: audit.Employee.Of(emp.ID),
			Details: audit.NoDetails})
		return err
	})
	return out, err
}

// commandsOnRequest are the commands an administrator may order for one device by hand.
// Removing the work data and wiping the phone have their own paths (RemoveDevice,
// WipeDevice), because they change the device's state and revoke its certificates.
var commandsOnRequest = map[CommandKind]bool{CommandLockWork: true, CommandResetWorkPasscode: true, CommandQueryWorkApps: true,
	CommandLockDevice: true, CommandStartLostMode: true}

// CommandDevice queues a command for an enrolled device, with the reason on record, if
// the privacy matrix allows it for the device's ownership and platform (Allowed); a
// refused command is never queued, so its platform never hears of it. The device's
// platform delivers it.
func (s *Service) CommandDevice(ctx context.Context, actor string, t Tenant, deviceID string, kind CommandKind, reason string) (Command, error) {
	if !commandsOnRequest[kind] {
		return Command{}, fmt.Errorf("%w: command %q cannot be ordered by hand", ErrInvalid, kind)
	}
	reason, err := ParseReason(reason)
	if err != nil {
		return Command{}, err
	}
	var cmd Command
	err = s.atomic(ctx, func(tx Store, at time.Time) error {
		d, err := tx.Devices().Device(ctx, t.ID, deviceID)
		if err != nil {
			return fmt.Errorf("device %s: %w", deviceID, err)
		}
		cmd, err = s.commandIn(ctx, tx, at, actor, t, d, kind, reason, audit.DeviceCommand)
		return err
	})
	return cmd, err
}

// commandIn queues, in tx at the time at, a command of the kind for the active device d
// if the privacy matrix allows it (Allowed), and records it as the action with the
// reason: the one path of every command ordered for one device by hand.
func (s *Service) commandIn(ctx context.Context, tx Store, at time.Time, actor string, t Tenant, d Device, kind CommandKind, reason string, action audit.Action) (Command, error) {
	if d.State != DeviceActive {
		return Command{}, Refuse("refusal.not_active", fmt.Errorf("%w: device %s is %s; commands reach active devices only", ErrConflict, d.ID, d.State))
	}
	if err := Allowed(d.Ownership, s.CapabilitiesOf(d.Platform), kind); err != nil {
		return Command{}, fmt.Errorf("device %s: %w", d.ID, err)
	}
	cmd := Command{ID: NewID(), DeviceID: d.ID, Kind: kind, Payload: EmptyJSONObject, State: CommandQueued, CreatedAt: at}
	if err := QueueCommand(ctx, tx, t.ID, &cmd); err != nil {
		return Command{}, err
	}
	_, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: action, Subject: audit.Device.Of(d.ID),
		Details: audit.Fields(map[string]any{"command": cmd.ID, "kind": kind, "reason": reason})})
	return cmd, err
}

// RevokeDeviceCertificates revokes every valid certificate of the tenant's device, so that
// mail, VPN and Wi-Fi stop trusting it, and records it with the reason. The device keeps
// its work container; see RemoveDevice for removing it.
func (s *Service) RevokeDeviceCertificates(ctx context.Context, actor string, t Tenant, deviceID, reason string) (int, error) {
	if s.certs == nil {
		return 0, errors.New("revoke certificates: no CA configured")
	}
	reason, err := ParseReason(reason)
	if err != nil {
		return 0, err
	}
	if _, err := s.store.Devices().Device(ctx, t.ID, deviceID); err != nil {
		return 0, fmt.Errorf("device %s: %w", deviceID, err)
	}
	n, err := s.certs.RevokeEnrolment(ctx, t.ID, deviceID, reason)
	if err != nil {
		return 0, fmt.Errorf("revoke certificates of device %s: %w", deviceID, err)
	}
	return n, s.Record(ctx, t.ID, audit.Record{Actor: actor, Action: audit.DeviceRevokeCerts, Subject: audit.Device.Of(deviceID),
		Details: audit.Fields(map[string]any{"certificates": n, "reason": reason})})
}
