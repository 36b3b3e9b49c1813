package mdm

import (
	"context"
	"time"
)

// InvitationLifecycleStore keeps what happens to invitations after they are made, and
// the tenant settings the employee portal shows.
type InvitationLifecycleStore interface {
	// SetTenantContacts stores who runs the service and whom to ask about data protection.
	SetTenantContacts(ctx context.Context, tenantID, operator, privacyContact string) error
	// PendingInvitations returns the employee's invitations that are neither used nor
	// revoked nor expired at `at`.
	PendingInvitations(ctx context.Context, tenantID, employeeID string, at time.Time) ([]Invitation, error)
	// AcknowledgeInvitation records that the employee acknowledged the privacy notice of
	// the version; ErrConflict when the invitation is not pending at `at`.
	AcknowledgeInvitation(ctx context.Context, tenantID, id, noticeVersion string, at time.Time) error
	// MarkInvitationMailed records that the invitation's e-mail was sent; ErrConflict when
	// it was sent already.
	MarkInvitationMailed(ctx context.Context, tenantID, id string, at time.Time) error
}

// GuessStore counts failed invitation-code guesses per client and time window, in the
// database, so that every replica sees the same count.
type GuessStore interface {
	// AddFailedGuess counts one failure of the client in the window that starts at window,
	// in one statement, returns the window's count with it, and forgets windows that ended
	// before it.
	AddFailedGuess(ctx context.Context, client []byte, window time.Time) (int64, error)
}
