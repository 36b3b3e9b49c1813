package licences

import (
	"context"
	"fmt"

	"github.com/trennwand/trennwand/mdm"
)

// LicensedApps returns the tenant's catalogue with the licence counts Apple last reported
// and how the assignment to the tenant's employees stands, by app name.
func (lic *Service) LicensedApps(ctx context.Context, tenantID string) ([]mdm.LicensedApp, error) {
	var assets []vppAsset
	if err := lic.db.WithContext(ctx).Where("tenant_id = ?", tenantID).Order("name, adam_id").Find(&assets).Error; err != nil {
		return nil, fmt.Errorf("read the Apps and Books catalogue: %w", err)
	}
	var counts []struct {
		AdamID, State, Error string
		N                    int
	}
	err := lic.db.WithContext(ctx).Model(&vppLicence{}).Select("adam_id, state, MIN(error) AS error, COUNT(*) AS n").
		Where("tenant_id = ?", tenantID).Group("adam_id, state").Scan(&counts).Error
	if err != nil {
		return nil, fmt.Errorf("count the licences: %w", err)
	}
	byAsset := map[string]*mdm.LicensedApp{}
	out := make([]mdm.LicensedApp, len(assets))
	for i, a := range assets {
		out[i] = mdm.LicensedApp{AdamID: a.AdamID, BundleID: a.BundleID, Name: a.Name, Total: a.TotalCount,
			Assigned: a.AssignedCount, Available: a.AvailableCount}
		byAsset[a.AdamID] = &out[i]
	}
	for _, c := range counts {
		app := byAsset[c.AdamID]
		if app == nil {
			continue
		}
		switch c.State {
		case licenceAssociated:
			app.Associated += c.N
		case licenceFailed:
			app.Failed += c.N
			app.Problem = c.Error
		case licencePending, licenceAssociating:
			app.Pending += c.N
		}
	}
	return out, nil
}
