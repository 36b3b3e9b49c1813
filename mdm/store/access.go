package store

import (
	"context"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
)

// Access is the access sub-domain's tables: administrators, their recovery codes and
// sessions, the sign-in throttle and API tokens.
type Access struct{ s *Store }

// AccessOf returns the access tables in whatever transaction tx is (or outside one).
func AccessOf(tx mdm.Store) Access { return Access{s: on(tx)} }

// CreateAdmin stores a new administrator of the tenant.
func (a Access) CreateAdmin(ctx context.Context, tenantID string, adm *mdm.Admin) error {
	adm.TenantID = tenantID
	return a.s.insert(ctx, adm)
}

// AdminByEmail returns the tenant's administrator with the e-mail address.
func (a Access) AdminByEmail(ctx context.Context, tenantID, email string) (mdm.Admin, error) {
	return first[mdm.Admin](a.s.scoped(ctx, tenantID).Where("email = ?", email))
}

// Admins returns the tenant's administrators by e-mail address.
func (a Access) Admins(ctx context.Context, tenantID string) ([]mdm.Admin, error) {
	var as []mdm.Admin
	err := a.s.scoped(ctx, tenantID).Order("email").Find(&as).Error
	return as, translate(err)
}

// DisableAdmin marks the tenant's administrator as disabled, once.
func (a Access) DisableAdmin(ctx context.Context, tenantID, id string, at time.Time) error {
	res := a.s.scoped(ctx, tenantID).Model(&mdm.Admin{}).Where("id = ? AND disabled_at IS NULL", id).Update("disabled_at", at)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 1 {
		return nil
	}
	if _, err := a.AdminByID(ctx, tenantID, id); err != nil {
		return err
	}
	return fmt.Errorf("%w: the administrator is disabled already", mdm.ErrConflict)
}

// DeleteAdminSessions ends every session of the tenant's administrator.
func (a Access) DeleteAdminSessions(ctx context.Context, tenantID, adminID string) error {
	return translate(a.s.scoped(ctx, tenantID).Table("admin_sessions").Where("admin_id = ?", adminID).Delete(&access.Session{}).Error)
}
