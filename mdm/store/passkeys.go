package store

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
)

// Tables of the passkeys (migration 00104).
const (
	passkeysTable   = "admin_passkeys"
	challengesTable = "webauthn_challenges"
)

// CreatePasskey stores a new passkey of the tenant's administrator.
func (a Access) CreatePasskey(ctx context.Context, tenantID string, p *access.Passkey) error {
	p.TenantID = tenantID
	return translate(a.s.db.WithContext(ctx).Table(passkeysTable).Create(p).Error)
}

// Passkeys returns the administrator's passkeys, oldest first.
func (a Access) Passkeys(ctx context.Context, tenantID, adminID string) ([]access.Passkey, error) {
	var ps []access.Passkey
	err := a.s.scoped(ctx, tenantID).Table(passkeysTable).Where("admin_id = ?", adminID).Order("created_at, id").Find(&ps).Error
	return ps, translate(err)
}

// UsePasskey stores the credential record after a use and the time of the use.
func (a Access) UsePasskey(ctx context.Context, tenantID, id, credential string, at time.Time) error {
	return affectedOne(a.s.scoped(ctx, tenantID).Table(passkeysTable).Where("id = ?", id).
		Updates(map[string]any{"credential": credential, "last_used_at": at}))
}

// DeletePasskey removes one passkey of the administrator.
func (a Access) DeletePasskey(ctx context.Context, tenantID, adminID, id string) error {
	return affectedOne(a.s.scoped(ctx, tenantID).Table(passkeysTable).Where("admin_id = ? AND id = ?", adminID, id).
		Delete(&access.Passkey{}))
}

// PutChallenge stores a ceremony's challenge in place of the session's earlier one.
func (a Access) PutChallenge(ctx context.Context, c access.Challenge) error {
	return a.s.transact(ctx, func(tx *Tx) error {
		db := tx.db.WithContext(ctx).Table(challengesTable)
		if err := db.Where("expires_at < ? OR (session_hash = ? AND ceremony = ?)", c.CreatedAt, c.SessionHash, c.Ceremony).
			Delete(&access.Challenge{}).Error; err != nil {
			return translate(err)
		}
		return translate(tx.db.WithContext(ctx).Table(challengesTable).Create(&c).Error)
	})
}

// TakeChallenge removes and returns the session's challenge of the ceremony in one
// statement, so that of two answers to it only one gets it.
func (a Access) TakeChallenge(ctx context.Context, sessionHash []byte, ceremony access.Ceremony) (access.Challenge, error) {
	var cs []access.Challenge
	err := a.s.db.WithContext(ctx).Raw(`DELETE FROM webauthn_challenges WHERE session_hash = ? AND ceremony = ?
		RETURNING session_hash, ceremony, tenant_id, admin_id, data, created_at, expires_at`, sessionHash, ceremony).Scan(&cs).Error
	if err != nil {
		return access.Challenge{}, translate(err)
	}
	if len(cs) != 1 {
		return access.Challenge{}, mdm.ErrNotFound
	}
	return cs[0], nil
}

// ResetSecondFactor gives the administrator a new, unconfirmed TOTP secret and removes
// everything else of their second factor.
func (a Access) ResetSecondFactor(ctx context.Context, tenantID, adminID string, sealedTOTP []byte) (int, error) {
	var removed int64
	err := a.s.transact(ctx, func(tx *Tx) error {
		if err := affectedOne(tx.scoped(ctx, tenantID).Model(&mdm.Admin{}).Where("id = ?", adminID).
			Updates(map[string]any{"totp_secret": sealedTOTP, "totp_confirmed_at": nil, "last_totp_step": 0})); err != nil {
			return err
		}
		if err := translate(tx.scoped(ctx, tenantID).Where("admin_id = ?", adminID).Delete(&recoveryCode{}).Error); err != nil {
			return err
		}
		if err := translate(tx.scoped(ctx, tenantID).Table(challengesTable).Where("admin_id = ?", adminID).
			Delete(&access.Challenge{}).Error); err != nil {
			return err
		}
		res := tx.scoped(ctx, tenantID).Table(passkeysTable).Where("admin_id = ?", adminID).Delete(&access.Passkey{})
		removed = res.RowsAffected
		return translate(res.Error)
	})
	return int(removed), err
}
