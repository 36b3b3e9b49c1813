package storage

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/micromdm/nanomdm/mdm"
	nanostorage "github.com/micromdm/nanomdm/storage"
)

// bootstrapPurpose binds a sealed bootstrap token to its device.
func bootstrapPurpose(id string) string { return "ios bootstrap token " + id }

// StoreBootstrapToken keeps the device's bootstrap token, sealed with the master key.
func (s *Storage) StoreBootstrapToken(r *mdm.Request, msg *mdm.SetBootstrapToken) error {
	if r.ParentID != "" {
		return nanostorage.ErrDeviceChannelOnly
	}
	var sealed []byte
	if token := msg.BootstrapToken.BootstrapToken; len(token) > 0 {
		var err error
		if sealed, err = s.sealer.Seal(bootstrapPurpose(r.ID), token); err != nil {
			return fmt.Errorf("seal bootstrap token of %s: %w", r.ID, err)
		}
	}
	err := s.conn(r.Context()).Exec(`UPDATE ios_devices SET bootstrap_token = ?, bootstrap_token_at = ? WHERE id = ?`,
		sealed, s.clock(), r.ID).Error
	if err != nil {
		return fmt.Errorf("store bootstrap token of %s: %w", r.ID, err)
	}
	return s.touch(r.Context(), r.ID)
}

// RetrieveBootstrapToken returns the device's bootstrap token, or nil if it has escrowed
// none since it last authenticated.
func (s *Storage) RetrieveBootstrapToken(r *mdm.Request, _ *mdm.GetBootstrapToken) (*mdm.BootstrapToken, error) {
	if r.ParentID != "" {
		return nil, nanostorage.ErrDeviceChannelOnly
	}
	var sealed []byte
	err := s.conn(r.Context()).Raw(`SELECT bootstrap_token FROM ios_devices WHERE id = ?`, r.ID).Row().Scan(&sealed)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("retrieve bootstrap token of %s: %w", r.ID, err)
	}
	if err := s.touch(r.Context(), r.ID); err != nil {
		return nil, err
	}
	if len(sealed) == 0 {
		return nil, nil
	}
	token, err := s.sealer.Open(bootstrapPurpose(r.ID), sealed)
	if err != nil {
		return nil, fmt.Errorf("open bootstrap token of %s: %w", r.ID, err)
	}
	return &mdm.BootstrapToken{BootstrapToken: token}, nil
}
