package store

import (
	"context"

	"github.com/trennwand/trennwand/mdm"
)

// CreateEmployee stores a new employee of the tenant.
func (s *Store) CreateEmployee(ctx context.Context, tenantID string, e *mdm.Employee) error {
	e.TenantID = tenantID
	return s.insert(ctx, e)
}

// EmployeeByEmail returns the tenant's employee with the e-mail address.
func (s *Store) EmployeeByEmail(ctx context.Context, tenantID, email string) (mdm.Employee, error) {
	return first[mdm.Employee](s.scoped(ctx, tenantID).Where("email = ?", email))
}

// Employee returns the tenant's employee with the ID.
func (s *Store) Employee(ctx context.Context, tenantID, id string) (mdm.Employee, error) {
	return byID[mdm.Employee](ctx, s, tenantID, id)
}

// UpdateEmployee stores the employee's name and managed Apple account.
func (s *Store) UpdateEmployee(ctx context.Context, tenantID string, e *mdm.Employee) error {
	res := s.scoped(ctx, tenantID).Model(&mdm.Employee{}).Where("id = ?", e.ID).
		Updates(map[string]any{"name": e.Name, "managed_apple_id": e.ManagedAppleID})
	return affectedOne(res)
}
