package store

import (
	"context"
)

// installationSetting is one row of installation_settings.
type installationSetting struct {
	Name  string `gorm:"primaryKey"`
	Value []byte
}

// InstallationSetting returns the value of an installation-wide setting.
func (s *Store) InstallationSetting(ctx context.Context, name string) ([]byte, error) {
	row, err := first[installationSetting](s.db.WithContext(ctx).Where("name = ?", name))
	return row.Value, err
}

// CreateInstallationSetting stores a new installation-wide setting.
func (s *Store) CreateInstallationSetting(ctx context.Context, name string, value []byte) error {
	return s.insert(ctx, &installationSetting{Name: name, Value: value})
}
