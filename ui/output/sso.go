package output

import (
	"fmt"
	"io"
	"strings"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
)

// SSO writes a tenant's single sign-on, never the client secret: the provider, the
// groups of each role, how the second factor is proved, the break-glass administrators
// and the redirect URIs to register at the provider; with asJSON as one object.
func SSO(w io.Writer, asJSON bool, t mdm.Tenant, p access.SSOProvider, breakGlass []string, redirect string, employeeRedirects []string) error {
	if asJSON {
		return JSON(w, map[string]any{"tenant": t.Name, "display_name": p.DisplayName, "issuer": p.Issuer, "client_id": p.ClientID,
			"client_secret_set": len(p.ClientSecret) > 0, "scopes": List(p.Scopes), "groups_claim": p.GroupsClaim,
			"admin_groups": List(p.AdminGroups), "helpdesk_groups": List(p.HelpdeskGroups), "dpo_groups": List(p.DPOGroups),
			"mfa": p.MFA, "mfa_values": List(p.MFAValues), "required": p.Required, "employees_confirm": p.EmployeesConfirm,
			"break_glass_admins": List(breakGlass), "redirect_uri": redirect, "employee_redirect_uris": List(employeeRedirects)})
	}
	rows := [][]string{{"name", p.DisplayName}, {"issuer", p.Issuer}, {"client", p.ClientID},
		{"secret", fmt.Sprint(len(p.ClientSecret) > 0)}, {"scopes", strings.Join(p.Scopes, " ")}, {"groups claim", p.GroupsClaim},
		{"admin groups", strings.Join(p.AdminGroups, ", ")}, {"helpdesk groups", strings.Join(p.HelpdeskGroups, ", ")},
		{"dpo groups", strings.Join(p.DPOGroups, ", ")}, {"second factor", strings.TrimSpace(string(p.MFA) + " " + strings.Join(p.MFAValues, " "))},
		{"required", fmt.Sprint(p.Required)}, {"employees confirm", fmt.Sprint(p.EmployeesConfirm)},
		{"break-glass", fmt.Sprint(len(breakGlass))}, {"redirect URI", redirect}}
	if p.EmployeesConfirm {
		for _, u := range employeeRedirects {
			rows = append(rows, []string{"employees' redirect URI", u})
		}
	}
	return Table(w, []string{"SETTING", "VALUE"}, rows)
}

// List keeps an empty list a list in JSON, for the command line and the JSON API.
func List(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
