package access

import (
	"context"
	"fmt"
	"slices"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/openid"
)

// EmployeeProvider returns the tenant's provider with its secret open, for an employee
// who confirms who they are, and the name its button shows; ErrNotFound when the tenant
// has no provider or does not ask its employees to sign in.
func (o SSO) EmployeeProvider(ctx context.Context, tenantID string) (openid.Provider, string, error) {
	p, err := o.s.own.SSOProvider(ctx, tenantID)
	if err != nil {
		return openid.Provider{}, "", err
	}
	if !p.EmployeesConfirm {
		return openid.Provider{}, "", fmt.Errorf("employees of tenant %s do not sign in: %w", tenantID, mdm.ErrNotFound)
	}
	secret, err := o.ClientSecret(p)
	if err != nil {
		return openid.Provider{}, "", err
	}
	return openid.Provider{Issuer: p.Issuer, ClientID: p.ClientID, ClientSecret: secret, Scopes: employeeScopes(p.Scopes)}, p.DisplayName, nil
}

// employeeScopes are the scopes an employee's sign-in asks for: the administrators', with
// the e-mail address, by which the employee is known.
func employeeScopes(admins []string) []string {
	if slices.Contains(admins, "email") {
		return admins
	}
	return append(slices.Clip(admins), "email")
}
