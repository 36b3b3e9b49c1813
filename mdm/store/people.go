package store

import (
	"context"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// CreateAdmin stores a new administrator of the tenant.
func (s *Store) CreateAdmin(ctx context.Context, tenantID string, a *mdm.Admin) error {
	a.TenantID = tenantID
	return s.insert(ctx, a)
}

// AdminByEmail returns the tenant's administrator with the e-mail address.
func (s *Store) AdminByEmail(ctx context.Context, tenantID, email string) (mdm.Admin, error) {
	return first[mdm.Admin](s.scoped(ctx, tenantID).Where("email = ?", email))
}

// Admins returns the tenant's administrators by e-mail address.
func (s *Store) Admins(ctx context.Context, tenantID string) ([]mdm.Admin, error) {
	var as []mdm.Admin
	err := s.scoped(ctx, tenantID).Order("email").Find(&as).Error
	return as, translate(err)
}

// EmployeeByEmail returns the tenant's employee with the e-mail address.
func (s *Store) EmployeeByEmail(ctx context.Context, tenantID, email string) (mdm.Employee, error) {
	return first[mdm.Employee](s.scoped(ctx, tenantID).Where("email = ?", email))
}

// Employee returns the tenant's employee with the ID.
func (s *Store) Employee(ctx context.Context, tenantID, id string) (mdm.Employee, error) {
	return byID[mdm.Employee](ctx, s, tenantID, id)
}

// DisableAdmin marks the tenant's administrator as disabled, once.
func (s *Store) DisableAdmin(ctx context.Context, tenantID, id string, at time.Time) error {
	res := s.scoped(ctx, tenantID).Model(&mdm.Admin{}).Where("id = ? AND disabled_at IS NULL", id).Update("disabled_at", at)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 1 {
		return nil
	}
	if _, err := s.AdminByID(ctx, tenantID, id); err != nil {
		return err
	}
	return fmt.Errorf("%w: the administrator is disabled already", mdm.ErrConflict)
}

// DeleteAdminSessions ends every session of the tenant's administrator.
func (s *Store) DeleteAdminSessions(ctx context.Context, tenantID, adminID string) error {
	return translate(s.scoped(ctx, tenantID).Table("admin_sessions").Where("admin_id = ?", adminID).Delete(&mdm.Session{}).Error)
}
