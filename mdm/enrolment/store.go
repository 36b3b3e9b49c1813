package enrolment

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// Store is what the enrolment keeps in tables of its own: invitations and what happens to
// them, the employees invitations create, the count of wrong code guesses, the enrolment
// tokens and the platform's ID of an enrolment, and the tenant's portal contacts. Every
// method that touches a tenant's rows takes the tenant's ID and never sees another
// tenant's rows.
type Store interface {
	// CreateEmployee stores an employee invited for the first time.
	CreateEmployee(ctx context.Context, tenantID string, e *mdm.Employee) error
	// UpdateEmployee stores the employee's name and managed Apple account.
	UpdateEmployee(ctx context.Context, tenantID string, e *mdm.Employee) error
	// SetTenantContacts stores the employer's name, who runs the service and whom to ask
	// about data protection.
	SetTenantContacts(ctx context.Context, tenantID, displayName, operator, privacyContact string) error

	CreateInvitation(ctx context.Context, tenantID string, i *mdm.Invitation) error
	Invitation(ctx context.Context, tenantID, id string) (mdm.Invitation, error)
	// InvitationByCode returns the invitation with the code hash, of whichever tenant. Like
	// every lookup by a secret, it is not scoped by a tenant: the secret names its tenant.
	InvitationByCode(ctx context.Context, codeHash []byte) (mdm.Invitation, error)
	// MarkInvitationsLettered records that letters of the invitations were made.
	MarkInvitationsLettered(ctx context.Context, tenantID string, ids []string, at time.Time) error
	// UnsentInvitations returns up to limit pending invitations with neither e-mail nor
	// letter, oldest first.
	UnsentInvitations(ctx context.Context, tenantID string, at time.Time, limit int) ([]mdm.Invitation, error)
	// InvitationPage returns one page of the tenant's invitations, newest first.
	InvitationPage(ctx context.Context, tenantID string, q InvitationQuery) ([]InvitationListing, error)
	// PendingInvitations returns the employee's invitations that are neither used nor
	// revoked nor expired at `at`.
	PendingInvitations(ctx context.Context, tenantID, employeeID string, at time.Time) ([]mdm.Invitation, error)
	// MarkInvitationUsed marks a pending invitation as used at `at`. It fails with
	// ErrConflict when the invitation was used, revoked or had expired, so that two
	// requests racing with one code cannot both succeed.
	MarkInvitationUsed(ctx context.Context, tenantID, id string, at time.Time) error
	// AcknowledgeInvitation records that the employee acknowledged the privacy notice of
	// the version; ErrConflict when the invitation is not pending at `at`.
	AcknowledgeInvitation(ctx context.Context, tenantID, id, noticeVersion string, at time.Time) error
	// MarkInvitationMailed records that the invitation's e-mail was sent; ErrConflict when
	// it was sent already.
	MarkInvitationMailed(ctx context.Context, tenantID, id string, at time.Time) error
	// SetInvitationRevoked revokes a pending invitation; ErrConflict when it was used or
	// revoked already.
	SetInvitationRevoked(ctx context.Context, tenantID, id string, at time.Time) error

	// AddFailedGuess counts one failure of the client in the window that starts at window,
	// in one statement, returns the window's count with it, and forgets windows that ended
	// before it. It is counted in the database, so that every replica sees the same count.
	AddFailedGuess(ctx context.Context, client []byte, window time.Time) (int64, error)

	// CreateSignIn stores an employee's sign-in sent to the provider, and forgets those
	// that ran out before now.
	CreateSignIn(ctx context.Context, in *SignIn, now time.Time) error
	// TakeSignIn removes and returns the sign-in with the state's hash, of whichever
	// tenant (the state is a secret that names its tenant); ErrNotFound when there is
	// none.
	TakeSignIn(ctx context.Context, stateHash []byte) (SignIn, error)

	CreateEnrolmentToken(ctx context.Context, tenantID string, t *Token) error
	// DeviceByEnrolmentToken returns the device the token hash belongs to, of whichever
	// tenant (the token is a secret that names its tenant); ErrNotFound for none.
	DeviceByEnrolmentToken(ctx context.Context, tokenHash []byte) (mdm.Device, error)
	// SetDevicePlatformID records what the platform calls the device's enrolment; it fails
	// with ErrConflict when another device has that ID.
	SetDevicePlatformID(ctx context.Context, tenantID, id, platformID string, at time.Time) error
}
