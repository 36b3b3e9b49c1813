package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// Hardware is what a company-owned iPhone or iPad told of its hardware beyond the
// identifiers the core keeps: the facts the employer needs of its own device. No row of a
// phone of the employee's own exists.
type Hardware struct {
	DeviceID   string `gorm:"primaryKey"`
	TenantID   string
	Model      string
	ModelName  string
	CapacityGB float64 `gorm:"column:capacity_gb"`
	// Automated is set for a device enrolled through Automated Device Enrollment, which
	// is supervised.
	Automated bool
	UpdatedAt time.Time
}

// TableName is the table of hardware facts.
func (Hardware) TableName() string { return "ios_hardware" }

// SetHardware stores what the company-owned device told of its hardware, replacing what
// it told before (but never whether it was enrolled through Automated Device Enrollment).
// Whether the device may be asked is decided before (see ios/hardware.go).
func (s *Storage) SetHardware(ctx context.Context, h Hardware) error {
	h.UpdatedAt = s.clock()
	err := s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "device_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"model", "model_name", "capacity_gb", "updated_at"})}).
		Create(&h).Error
	if err != nil {
		return fmt.Errorf("store the hardware of device %s: %w", h.DeviceID, err)
	}
	return nil
}

// HardwareOf returns what the tenant's device told of its hardware; found is false when it
// told nothing (or is not company-owned).
func (s *Storage) HardwareOf(ctx context.Context, tenantID, deviceID string) (h Hardware, found bool, err error) {
	res := s.conn(ctx).Where("tenant_id = ? AND device_id = ?", tenantID, deviceID).Limit(1).Find(&h)
	if res.Error != nil {
		return Hardware{}, false, fmt.Errorf("hardware of device %s: %w", deviceID, res.Error)
	}
	return h, res.RowsAffected == 1, nil
}

// CompanyOwned returns the enrolments of ids that belong to company-owned devices, the only
// ones a device command or a hardware query may reach. The ownership is the domain's
// (devices.ownership), written from the invitation.
func (s *Storage) CompanyOwned(ctx context.Context, ids []string) (map[string]bool, error) {
	owned := make(map[string]bool)
	for _, part := range chunks(ids) {
		var found []string
		err := s.conn(ctx).Table("devices").Where("platform = ? AND platform_id IN ? AND ownership = ?", "ios", part, "company").
			Pluck("platform_id", &found).Error
		if err != nil {
			return nil, fmt.Errorf("ownership of enrolments: %w", err)
		}
		for _, id := range found {
			owned[id] = true
		}
	}
	return owned, nil
}
