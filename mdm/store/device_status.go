package store

import (
	"context"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// DevicesByPlatformIDs returns the tenant's devices that the platform calls by one of the
// IDs, in one statement.
func (s *Store) DevicesByPlatformIDs(ctx context.Context, tenantID string, platform mdm.Platform, platformIDs []string) ([]mdm.Device, error) {
	if len(platformIDs) == 0 {
		return nil, nil
	}
	var ds []mdm.Device
	// platform_id <> '' lets the database use the partial index devices_platform_id.
	err := s.scoped(ctx, tenantID).Where("platform = ? AND platform_id IN ? AND platform_id <> ''", platform, platformIDs).Find(&ds).Error
	return ds, translate(err)
}

// SetDeviceStatus records the status of the tenant's device; the report is also the
// device's last contact.
func (s *Store) SetDeviceStatus(ctx context.Context, tenantID, id string, st mdm.DeviceStatus, at time.Time) error {
	res := s.scoped(ctx, tenantID).Model(&mdm.Device{}).Where("id = ?", id).Updates(map[string]any{
		"os_version": st.OSVersion, "security_patch_level": st.SecurityPatchLevel, "compliance": st.Compliance,
		"non_compliance": strings.Join(st.NonCompliance, "\n"), "last_contact_at": at, "updated_at": at,
	})
	return affectedOne(res)
}
