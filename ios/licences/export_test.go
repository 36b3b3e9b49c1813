package licences

import "context"

// RegisterUsersOf makes one registration pass for pending licences of the employees to
// the asset, as a pass over the tenant's pending licences does.
func (lic *Service) RegisterUsersOf(ctx context.Context, tenantID, adamID string, employees ...string) (map[string]bool, error) {
	pending := make([]vppLicence, len(employees))
	for i, e := range employees {
		pending[i] = vppLicence{TenantID: tenantID, EmployeeID: e, AdamID: adamID, State: licencePending}
	}
	return lic.registerUsers(ctx, "", tenantID, pending)
}
