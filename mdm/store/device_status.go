package store

import (
	"context"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// DeviceByPlatformID returns the tenant's device that the platform calls platformID.
func (s *Store) DeviceByPlatformID(ctx context.Context, tenantID string, platform mdm.Platform, platformID string) (mdm.Device, error) {
	if platformID == "" {
		return mdm.Device{}, mdm.ErrNotFound
	}
	// platform_id <> '' lets the database use the partial index devices_platform_id.
	return first[mdm.Device](s.scoped(ctx, tenantID).Where("platform = ? AND platform_id = ? AND platform_id <> ''", platform, platformID))
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
