package store

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// CreateAPIToken stores a new API token.
func (s *Store) CreateAPIToken(ctx context.Context, t *mdm.APIToken) error {
	return s.insert(ctx, t)
}

// APITokenByHash returns the token with the hash, of whichever tenant.
func (s *Store) APITokenByHash(ctx context.Context, hash []byte) (mdm.APIToken, error) {
	return first[mdm.APIToken](s.db.WithContext(ctx).Where("hash = ?", hash))
}

// APITokens returns the tenant's tokens, newest first.
func (s *Store) APITokens(ctx context.Context, tenantID string) ([]mdm.APIToken, error) {
	var ts []mdm.APIToken
	err := s.scoped(ctx, tenantID).Order("created_at DESC, id DESC").Find(&ts).Error
	return ts, translate(err)
}

// TouchAPIToken records a use of the token, at most once a minute.
func (s *Store) TouchAPIToken(ctx context.Context, id string, at time.Time) error {
	err := s.db.WithContext(ctx).Model(&mdm.APIToken{}).
		Where("id = ? AND (last_used_at IS NULL OR last_used_at < ?)", id, at.Add(-time.Minute)).
		Update("last_used_at", at).Error
	return translate(err)
}

// RevokeAPIToken revokes the tenant's token; a revoked one stays as it is.
func (s *Store) RevokeAPIToken(ctx context.Context, tenantID, id string, at time.Time) error {
	err := s.scoped(ctx, tenantID).Model(&mdm.APIToken{}).Where("id = ? AND revoked_at IS NULL", id).
		Update("revoked_at", at).Error
	if err != nil {
		return translate(err)
	}
	_, err = byID[mdm.APIToken](ctx, s, tenantID, id)
	return err
}
