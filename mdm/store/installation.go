package store

import (
	"context"

	"gorm.io/gorm/clause"
)

// installationSetting is one row of installation_settings.
type installationSetting struct {
	Name  string `gorm:"primaryKey"`
	Value []byte
}

// InstallationSetting returns the value of an installation-wide setting.
func (tn Tenants) InstallationSetting(ctx context.Context, name string) ([]byte, error) {
	row, err := first[installationSetting](tn.s.db.WithContext(ctx).Where("name = ?", name))
	return row.Value, err
}

// CreateInstallationSetting stores a new installation-wide setting.
func (tn Tenants) CreateInstallationSetting(ctx context.Context, name string, value []byte) error {
	return tn.s.insert(ctx, &installationSetting{Name: name, Value: value})
}

// SetInstallationSetting stores an installation-wide setting, replacing any value it had.
func (tn Tenants) SetInstallationSetting(ctx context.Context, name string, value []byte) error {
	return tn.s.db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).
		Create(&installationSetting{Name: name, Value: value}).Error
}

// ChangeInstallationSetting stores an installation-wide setting unless it has the value
// already, and reports whether it stored it. The row is written in place (inserted, or
// updated only where its value differs), so a concurrent transaction storing the same
// value waits for this one and then finds nothing to change.
func (tn Tenants) ChangeInstallationSetting(ctx context.Context, name string, value []byte) (bool, error) {
	db := tn.s.db.WithContext(ctx)
	res := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&installationSetting{Name: name, Value: value})
	if res.Error != nil || res.RowsAffected > 0 {
		return res.RowsAffected > 0, translate(res.Error)
	}
	res = db.Model(&installationSetting{}).Where("name = ? AND value <> ?", name, value).Update("value", value)
	return res.RowsAffected > 0, translate(res.Error)
}
