package mdm

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// QueueCommand queues a command of the kind for the tenant's device, with its audit
// event and the job that delivers it through the device's platform (SendCommandJob), and
// returns it. Removing
// the work container goes through RemoveDevice, which also revokes the certificates.
func (s *Service) QueueCommand(ctx context.Context, actor string, t Tenant, deviceID string, kind CommandKind, payload JSONObject) (Command, error) {
	if kind == CommandRemoveWorkData {
		return Command{}, fmt.Errorf("%w: remove the work container with a device removal, which also revokes its certificates", ErrInvalid)
	}
	if payload == "" {
		payload = EmptyJSONObject
	}
	var c Command
	err := s.atomic(ctx, func(tx Store, at time.Time) error {
		d, err := tx.Device(ctx, t.ID, deviceID)
		if err != nil {
			return fmt.Errorf("device %s: %w", deviceID, err)
		}
		if d.State != DeviceActive {
			return fmt.Errorf("%w: device %s is %s, not active", ErrConflict, d.ID, d.State)
		}
		c = Command{ID: NewID(), DeviceID: d.ID, Kind: kind, Payload: payload, State: CommandQueued, CreatedAt: at}
		if err := tx.CreateCommand(ctx, t.ID, &c); err != nil {
			return err
		}
		if err := tx.EnqueueJob(ctx, SendCommandJob{TenantID: t.ID, DeviceID: d.ID, CommandID: c.ID}, JobOptions{}); err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, t.ID, at, AuditRecord{Actor: actor, Action: "command.queue", Subject: "device:" + d.ID,
			Details: AuditDetails(map[string]any{"command": c.ID, "kind": kind})})
		return err
	})
	return c, err
}

// MarkCommandSent records that the platform has taken the queued command.
func (s *Service) MarkCommandSent(ctx context.Context, tenantID, commandID string) error {
	return s.store.SetCommandState(ctx, tenantID, commandID, CommandQueued, CommandSent, "", s.clock())
}

// FinishCommand records the platform's answer to a command: acknowledged when errText is
// empty, error otherwise. A command that has finished already is left as it is, since
// platforms may report a result more than once.
func (s *Service) FinishCommand(ctx context.Context, tenantID, commandID, errText string) error {
	to := CommandAcknowledged
	if errText != "" {
		to = CommandError
	}
	at := s.clock()
	err := s.store.SetCommandState(ctx, tenantID, commandID, CommandSent, to, errText, at)
	if errors.Is(err, ErrConflict) && to == CommandError {
		// A command that could not be delivered at all.
		err = s.store.SetCommandState(ctx, tenantID, commandID, CommandQueued, CommandError, errText, at)
	}
	if errors.Is(err, ErrConflict) {
		return nil
	}
	return err
}
