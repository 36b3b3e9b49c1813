package store

import (
	"context"

	"github.com/trennwand/trennwand/mdm"
)

// EmployeeByEmail returns the tenant's employee with the e-mail address.
func (dv Devices) EmployeeByEmail(ctx context.Context, tenantID, email string) (mdm.Employee, error) {
	return first[mdm.Employee](dv.s.scoped(ctx, tenantID).Where("email = ?", email))
}

// Employee returns the tenant's employee with the ID.
func (dv Devices) Employee(ctx context.Context, tenantID, id string) (mdm.Employee, error) {
	return byID[mdm.Employee](ctx, dv.s, tenantID, id)
}
