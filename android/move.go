package android

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// MoveDevice points the enrolled device at the AMAPI policy of the work policy it was
// moved to (devices.patch of its policyName), after making sure that policy is current:
// the phone then drops the apps the new policy lacks and installs the ones it adds. A
// device Google no longer knows has left; the sync job records that.
func (p *Platform) MoveDevice(ctx context.Context, t mdm.Tenant, d mdm.Device, wp mdm.WorkPolicy) error {
	if d.Platform != mdm.PlatformAndroid || d.PlatformID == "" {
		return nil
	}
	if err := p.applyPolicy(ctx, t, wp, false, d.Ownership.Company()); err != nil {
		return err
	}
	b, err := p.binding(ctx, t.ID)
	if err != nil {
		return err
	}
	name := policyNameFor(b.EnterpriseName, wp.ID, d.Ownership)
	if _, err := p.amapi.SetDevicePolicy(ctx, d.PlatformID, name); NotFound(err) {
		return nil
	} else if err != nil {
		return fmt.Errorf("move device %s: %w", d.ID, err)
	}
	return p.atomic(ctx, func(tx mdm.Store, _ *gorm.DB, at time.Time) error {
		_, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: "android", Action: audit.AndroidDevicePolicy, Subject: audit.Device.Of(d.ID),
			Details: audit.Fields(map[string]any{"policy": name, "version": wp.Version})})
		return err
	})
}

var _ mdm.PolicyMover = (*Platform)(nil)
