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

// SetPassPage makes a pass of the association or the release read n licences at a time
// until the test ends.
func SetPassPage(t testing.TB, n int) {
	was := passPage
	passPage = n
	t.Cleanup(func() { passPage = was })
}

// Alone runs work as an association or a release of the tenant runs.
func (lic *Service) Alone(tenantID string, work func() error) error { return lic.alone(tenantID, work) }
