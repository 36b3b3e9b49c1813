package mdm

import (
	"fmt"
	"time"
)

// Role says what an administrator may do in the tenant.
type Role string

// The roles. Which route and page each may use is decided at the edge, by the role matrix.
const (
	RoleAdmin    Role = "admin"    // everything in the tenant
	RoleHelpdesk Role = "helpdesk" // devices and invitations, work passcode reset
	RoleDPO      Role = "dpo"      // audit trail, exports and the record of processing, read only
)

// Roles lists every role in the order they are offered to a user.
var Roles = []Role{RoleAdmin, RoleHelpdesk, RoleDPO}

// ParseRole returns the role named s or an error that lists the valid names.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", Refuse("refusal.role", fmt.Errorf("%w: role %q: use admin, helpdesk or dpo", ErrInvalid, s), "Role", s)
}

// Admin is a person who runs the tenant from the dashboard, the API or the command line.
// The password is kept only as an argon2id hash; the second-factor secret only sealed with
// the installation's master key.
type Admin struct {
	ID                 string
	TenantID           string
	Email              string
	Role               Role
	PasswordHash       string
	TOTPSecret         []byte // sealed; see Sealer
	MustChangePassword bool
	CreatedAt          time.Time
	// FailedSignIns counts wrong passwords and codes since the last successful sign-in;
	// enough of them lock the account until LockedUntil.
	FailedSignIns int
	LockedUntil   *time.Time
	// TOTPConfirmedAt is when the administrator proved at first sign-in that their
	// authenticator holds the secret; nil until then.
	TOTPConfirmedAt *time.Time
	// LastTOTPStep is the time step of the last accepted code: a code is accepted once.
	LastTOTPStep int64
	// DisabledAt is when the administrator was disabled: from then on they cannot sign
	// in and have no session. Nil while they may.
	DisabledAt *time.Time
}

// Locked reports whether too many failed sign-ins keep the administrator out at now.
func (a Admin) Locked(now time.Time) bool { return a.LockedUntil != nil && now.Before(*a.LockedUntil) }

// Disabled reports whether the administrator was disabled.
func (a Admin) Disabled() bool { return a.DisabledAt != nil }

// Principal is who an active session of the administrator acts as.
func (a Admin) Principal() Principal {
	return Principal{Actor: "admin:" + a.ID, TenantID: a.TenantID, Role: a.Role}
}
