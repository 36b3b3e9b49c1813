package licences

import (
	"context"
	"testing"

	"github.com/trennwand/trennwand/ios/vpp"
)

// RegisterUsersOf makes one registration pass for pending licences of the employees to
// the asset, as a pass over the tenant's pending licences does.
func (lic *Service) RegisterUsersOf(ctx context.Context, tenantID, adamID string, employees ...string) (map[string]bool, error) {
	pending := make([]vppLicence, len(employees))
	for i, e := range employees {
		pending[i] = vppLicence{TenantID: tenantID, EmployeeID: e, AdamID: adamID, State: licencePending}
	}
	return lic.registerUsers(ctx, "", tenantID, pending)
}

// UsersRegistered records that Apple has registered the users of the event, none refused.
func (lic *Service) UsersRegistered(ctx context.Context, tenantID, eventID string) error {
	return lic.usersRegistered(ctx, tenantID, eventID, vpp.Event{})
}

// SetReconcileEmployees makes a reconciliation of the whole tenant compare n employees at
// a time until the test ends.
func SetReconcileEmployees(t testing.TB, n int) {
	was := reconcileEmployees
	reconcileEmployees = n
	t.Cleanup(func() { reconcileEmployees = was })
}
