package store

import (
	"context"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// Commands are the devices' commands with their state.
type Commands struct{ s *Store }

// Commands returns the commands' table in s's transaction (or outside one), as the core
// reaches it through mdm.Store.
func (s *Store) Commands() mdm.CommandStore { return Commands{s: s} }

// CreateCommand stores a new command for a device of the tenant.
func (cm Commands) CreateCommand(ctx context.Context, tenantID string, c *mdm.Command) error {
	c.TenantID = tenantID
	return cm.s.insert(ctx, c)
}

// Command returns one of the tenant's commands.
func (cm Commands) Command(ctx context.Context, tenantID, id string) (mdm.Command, error) {
	return byID[mdm.Command](ctx, cm.s, tenantID, id)
}

// Commands returns the commands of one of the tenant's devices, oldest first.
func (cm Commands) Commands(ctx context.Context, tenantID, deviceID string) ([]mdm.Command, error) {
	var cs []mdm.Command
	err := cm.s.scoped(ctx, tenantID).Where("device_id = ?", deviceID).Order("created_at, id").Find(&cs).Error
	return cs, translate(err)
}

// SetCommandState moves a command from one state to another if the state machine allows it.
func (cm Commands) SetCommandState(ctx context.Context, tenantID, id string, from, to mdm.CommandState, errText string, at time.Time) error {
	if !from.CanBecome(to) {
		return fmt.Errorf("%w: a command cannot go from %s to %s", mdm.ErrInvalid, from, to)
	}
	set := map[string]any{"state": to}
	if to == mdm.CommandSent {
		set["sent_at"] = at
	}
	if to.Finished() {
		set["finished_at"] = at
		set["error"] = errText
	}
	if err := cm.s.transition(ctx, &mdm.Command{}, tenantID, id, string(from), string(to), set); err != nil {
		return fmt.Errorf("command %s: %w", id, err)
	}
	return nil
}
