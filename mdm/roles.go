package mdm

import (
	"fmt"
	"slices"
)

// RoleProvider is the provider-level super-admin of an installation that serves several
// tenants: it creates tenants and belongs to none. Only API tokens carry it.
const RoleProvider Role = "provider"

// RoleGateway is a mail gateway's or VPN's API token for conditional access: it may ask
// whether a device certificate belongs to a compliant device, and nothing else, so that it
// never sees the device list. Only API tokens carry it.
const RoleGateway Role = "gateway"

// RoleSCIM is an identity provider's API token (Entra ID, Keycloak) that provisions the
// tenant's employees through SCIM at /scim/v2/, and may do nothing else. Only API tokens
// carry it.
const RoleSCIM Role = "scim"

// Permission names one thing a caller may do. Every API route and dashboard page requires
// one; the role matrix below says which role holds it.
type Permission string

// The permissions.
const (
	PermDevicesRead      Permission = "devices.read"           // list devices, open a device
	PermDevicesManage    Permission = "devices.manage"         // lock, remove work data, revoke certificates
	PermPasscodeReset    Permission = "devices.reset_passcode" // reset the work passcode
	PermEmployeesRead    Permission = "employees.read"         // list employees, open an employee
	PermInvitationsRead  Permission = "invitations.read"
	PermInvitationsWrite Permission = "invitations.write" // invite, revoke an invitation
	PermPoliciesRead     Permission = "policies.read"
	PermPoliciesWrite    Permission = "policies.write"
	PermAuditRead        Permission = "audit.read"
	PermAuditExport      Permission = "audit.export"
	PermTokensManage     Permission = "tokens.manage" // API tokens of the tenant
	PermTenantsManage    Permission = "tenants.manage"
	// PermDataProtectionRead reads the per-employee report, the record of processing and
	// the retention settings; PermDataProtectionWrite changes the settings.
	PermDataProtectionRead  Permission = "dataprotection.read"
	PermDataProtectionWrite Permission = "dataprotection.write"
	// PermAccessCheck asks whether a device certificate belongs to a compliant device.
	PermAccessCheck Permission = "access.check"
	// PermSettingsManage changes the tenant's settings: platform bindings, contacts and
	// the tenant's administrators.
	PermSettingsManage Permission = "settings.manage"
	// PermDirectoryProvision creates, changes and removes the directory's people through
	// SCIM.
	PermDirectoryProvision Permission = "directory.provision"
)

// rolePermissions is the role matrix. Helpdesk looks devices up, helps with invitations and
// resets work passcodes; the data-protection officer reads and exports the audit trail and
// the data-protection reports and changes nothing; the provider only manages tenants and sees none of their data.
var rolePermissions = map[Role][]Permission{
	RoleAdmin: {PermDevicesRead, PermDevicesManage, PermPasscodeReset, PermEmployeesRead,
		PermInvitationsRead, PermInvitationsWrite, PermPoliciesRead, PermPoliciesWrite,
		PermAuditRead, PermAuditExport, PermTokensManage, PermDataProtectionRead, PermDataProtectionWrite,
		PermSettingsManage},
	RoleHelpdesk: {PermDevicesRead, PermPasscodeReset, PermEmployeesRead, PermInvitationsRead, PermInvitationsWrite},
	RoleDPO:      {PermAuditRead, PermAuditExport, PermDataProtectionRead},
	RoleProvider: {PermTenantsManage},
	RoleGateway:  {PermAccessCheck},
	RoleSCIM:     {PermDirectoryProvision},
}

// Can reports whether the role holds the permission.
func (r Role) Can(p Permission) bool {
	return slices.Contains(rolePermissions[r], p)
}

// Permissions returns what the role may do, in the order of the role matrix.
func (r Role) Permissions() []Permission { return slices.Clone(rolePermissions[r]) }

// ParseTokenRole returns the role an API token may carry: a tenant role, or provider for
// a token of the whole installation.
func ParseTokenRole(s string) (Role, error) {
	if Role(s) == RoleProvider || Role(s) == RoleGateway || Role(s) == RoleSCIM {
		return Role(s), nil
	}
	if r, err := ParseRole(s); err == nil {
		return r, nil
	}
	return "", Refuse("refusal.role", fmt.Errorf("%w: role %q: use admin, helpdesk, dpo, gateway, scim or provider", ErrInvalid, s), "Role", s)
}

// Principal is who is calling: an administrator signed in to the dashboard or the holder
// of an API token. TenantID is empty for the provider.
type Principal struct {
	Actor    string // as written to the audit trail: "admin:<id>" or "token:<id>"
	TenantID string
	Role     Role
}

// Can reports whether the principal holds the permission.
func (p Principal) Can(perm Permission) bool { return p.Role.Can(perm) }
