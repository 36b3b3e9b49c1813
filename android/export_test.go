package android

import (
	"context"

	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/mdm"
)

// Issue exposes issue to the tests: a raw AMAPI command, through the platform's guard.
func (p *Platform) Issue(ctx context.Context, t mdm.Tenant, d mdm.Device, commandID string, cmd *amapi.Command) error {
	return p.issue(ctx, t, d, commandID, cmd)
}
