package store

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/mdm/access"
)

// CreateAPIToken stores a new API token.
func (a Access) CreateAPIToken(ctx context.Context, t *access.APIToken) error {
	return a.s.insert(ctx, t)
}

// APITokenByHash returns the token with the hash, of whichever tenant.
func (a Access) APITokenByHash(ctx context.Context, hash []byte) (access.APIToken, error) {
	return first[access.APIToken](a.s.db.WithContext(ctx).Where("hash = ?", hash))
}

// APITokens returns the tenant's tokens, newest first.
func (a Access) APITokens(ctx context.Context, tenantID string) ([]access.APIToken, error) {
	var ts []access.APIToken
	err := a.s.scoped(ctx, tenantID).Order("created_at DESC, id DESC").Find(&ts).Error
	return ts, translate(err)
}

// TouchAPIToken records a use of the token, at most once a minute.
func (a Access) TouchAPIToken(ctx context.Context, id string, at time.Time) error {
	err := a.s.db.WithContext(ctx).Model(&access.APIToken{}).
		Where("id = ? AND (last_used_at IS NULL OR last_used_at < ?)", id, at.Add(-time.Minute)).
		Update("last_used_at", at).Error
	return translate(err)
}

// RevokeAPIToken revokes the tenant's token; a revoked one stays as it is.
func (a Access) RevokeAPIToken(ctx context.Context, tenantID, id string, at time.Time) error {
	err := a.s.scoped(ctx, tenantID).Model(&access.APIToken{}).Where("id = ? AND revoked_at IS NULL", id).
		Update("revoked_at", at).Error
	if err != nil {
		return translate(err)
	}
	_, err = byID[access.APIToken](ctx, a.s, tenantID, id)
	return err
}
