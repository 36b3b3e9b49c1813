package ddm

import (
	"context"
	"fmt"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
)

// DeclarationReader reads the declaration states an iPhone reported, for the device page
// and the API.
type DeclarationReader struct{}

var _ mdm.DeclarationReader = DeclarationReader{}

// Declarations returns the tenant's device's declaration states, by identifier.
func (DeclarationReader) Declarations(ctx context.Context, tx mdm.Store, tenantID string, d mdm.Device) ([]mdm.DeclarationState, error) {
	t, err := store.Extend(tx)
	if err != nil {
		return nil, fmt.Errorf("ios: declarations: %w", err)
	}
	var rows []declarationRow
	if err := t.DB(ctx).Where("tenant_id = ? AND device_id = ?", tenantID, d.ID).Order("identifier").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("ios: declarations of device %s: %w", d.ID, err)
	}
	out := make([]mdm.DeclarationState, len(rows))
	for i, r := range rows {
		out[i] = mdm.DeclarationState{Identifier: r.Identifier, Kind: r.ManifestType, Active: r.Active, Valid: r.Valid, Reasons: r.Reasons}
	}
	return out, nil
}
