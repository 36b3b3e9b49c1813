package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
)

// recoveryCode is one of an administrator's recovery codes.
type recoveryCode struct {
	Hash     []byte
	TenantID string
	AdminID  string
	UsedAt   *time.Time
}

func (recoveryCode) TableName() string { return "admin_recovery_codes" }

// signInThrottle counts sign-in attempts of one client address in one window.
type signInThrottle struct {
	Key       string
	Attempts  int
	ExpiresAt time.Time
}

func (signInThrottle) TableName() string { return "sign_in_throttle" }

// AdminByID returns the tenant's administrator with the ID.
func (a Access) AdminByID(ctx context.Context, tenantID, id string) (mdm.Admin, error) {
	return byID[mdm.Admin](ctx, a.s, tenantID, id)
}

// CountFailedSignIn counts a failed sign-in and sets the lock in one UPDATE, which both
// databases run atomically on the row: parallel failures neither overwrite each other's
// count nor a lock. The SET expressions read the row as it was before the statement.
func (a Access) CountFailedSignIn(ctx context.Context, tenantID, id string, every int, until time.Time) (int, error) {
	var counts []int
	err := a.s.db.WithContext(ctx).Raw(`UPDATE admins SET failed_sign_ins = failed_sign_ins + 1,
		locked_until = CASE WHEN (failed_sign_ins + 1) % ? = 0 THEN ? ELSE locked_until END
		WHERE tenant_id = ? AND id = ? RETURNING failed_sign_ins`, every, until, tenantID, id).Scan(&counts).Error
	if err != nil {
		return 0, translate(err)
	}
	if len(counts) != 1 {
		return 0, mdm.ErrNotFound
	}
	return counts[0], nil
}

// ClearFailedSignIns forgets the failed sign-ins and the lock of an administrator.
func (a Access) ClearFailedSignIns(ctx context.Context, tenantID, id string) error {
	return affectedOne(a.s.scoped(ctx, tenantID).Model(&mdm.Admin{}).Where("id = ?", id).
		Updates(map[string]any{"failed_sign_ins": 0, "locked_until": nil}))
}

// AcceptTOTPStep records an accepted code's time step, once, in one conditional update.
func (a Access) AcceptTOTPStep(ctx context.Context, tenantID, id string, step int64, at time.Time) error {
	res := a.s.scoped(ctx, tenantID).Model(&mdm.Admin{}).Where("id = ? AND last_totp_step < ?", id, step).
		Updates(map[string]any{"last_totp_step": step, "totp_confirmed_at": gorm.Expr("COALESCE(totp_confirmed_at, ?)", at)})
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("%w: this code was used before", mdm.ErrConflict)
	}
	return nil
}

// SetAdminPassword stores a password the administrator chose.
func (a Access) SetAdminPassword(ctx context.Context, tenantID, id, hash string) error {
	return affectedOne(a.s.scoped(ctx, tenantID).Model(&mdm.Admin{}).Where("id = ?", id).
		Updates(map[string]any{"password_hash": hash, "must_change_password": false}))
}

// ReplaceRecoveryCodes stores new recovery codes in place of the old ones.
func (a Access) ReplaceRecoveryCodes(ctx context.Context, tenantID, adminID string, hashes [][]byte) error {
	return a.s.transact(ctx, func(tx *Tx) error {
		if err := translate(tx.scoped(ctx, tenantID).Where("admin_id = ?", adminID).Delete(&recoveryCode{}).Error); err != nil {
			return err
		}
		for _, h := range hashes {
			if err := tx.insert(ctx, &recoveryCode{Hash: h, TenantID: tenantID, AdminID: adminID}); err != nil {
				return err
			}
		}
		return nil
	})
}

// UseRecoveryCode marks an unused recovery code as used.
func (a Access) UseRecoveryCode(ctx context.Context, tenantID, adminID string, hash []byte, at time.Time) error {
	return affectedOne(a.s.scoped(ctx, tenantID).Model(&recoveryCode{}).
		Where("admin_id = ? AND hash = ? AND used_at IS NULL", adminID, hash).Update("used_at", at))
}

// CreateSession stores a new session.
func (a Access) CreateSession(ctx context.Context, sess *access.Session) error {
	return translate(a.s.db.WithContext(ctx).Table("admin_sessions").Create(sess).Error)
}

// SessionByHash returns the session with the token hash.
func (a Access) SessionByHash(ctx context.Context, hash []byte) (access.Session, error) {
	return first[access.Session](a.s.db.WithContext(ctx).Table("admin_sessions").Where("hash = ?", hash))
}

// UpdateSession stores the session's stage and last activity.
func (a Access) UpdateSession(ctx context.Context, sess access.Session) error {
	return affectedOne(a.s.db.WithContext(ctx).Table("admin_sessions").Where("hash = ?", sess.Hash).
		Updates(map[string]any{"stage": sess.Stage, "last_seen_at": sess.LastSeenAt, "factor_at": sess.FactorAt}))
}

// RenewSession moves a session to a new hash and CSRF token in one conditional update, so
// that of two renewals of the same session only one succeeds.
func (a Access) RenewSession(ctx context.Context, oldHash []byte, sess access.Session) error {
	return affectedOne(a.s.db.WithContext(ctx).Table("admin_sessions").Where("hash = ?", oldHash).
		Updates(map[string]any{"hash": sess.Hash, "csrf": sess.CSRF, "stage": sess.Stage, "last_seen_at": sess.LastSeenAt,
			"factor_at": sess.FactorAt}))
}

// DeleteSession removes a session.
func (a Access) DeleteSession(ctx context.Context, hash []byte) error {
	return translate(a.s.db.WithContext(ctx).Table("admin_sessions").Where("hash = ?", hash).Delete(&access.Session{}).Error)
}

// CountSignInAttempt counts one attempt under key and returns the window's count. Old
// windows are removed on the way.
func (a Access) CountSignInAttempt(ctx context.Context, key string, at, expires time.Time) (int, error) {
	var row signInThrottle
	err := a.s.transact(ctx, func(tx *Tx) error {
		db := tx.db.WithContext(ctx)
		if err := db.Where("expires_at < ?", at).Delete(&signInThrottle{}).Error; err != nil {
			return translate(err)
		}
		err := db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}},
			DoUpdates: clause.Assignments(map[string]any{"attempts": gorm.Expr("sign_in_throttle.attempts + 1")})}).
			Create(&signInThrottle{Key: key, Attempts: 1, ExpiresAt: expires}).Error
		if err != nil {
			return translate(err)
		}
		row, err = first[signInThrottle](db.Where("key = ?", key))
		return err
	})
	return row.Attempts, err
}
