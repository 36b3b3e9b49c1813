// Package access is who may act in a tenant and how they prove it: administrators (their
// creation, with a one-time password and a second-factor secret, and their disabling),
// the dashboard sign-in in steps (password, TOTP, passkey or recovery code, password
// change) with its lockout and per-client throttle, administrators' passkeys and the reset
// of a lost second factor, the sessions it opens, API tokens with their role, and the
// first administrator of a new installation.
//
// It owns the tables admins, admin_recovery_codes, admin_passkeys, webauthn_challenges,
// admin_sessions, sign_in_throttle and api_tokens. Its rules: a password is kept only as an argon2id hash, computed one at a
// time; a second-factor code is accepted once; every failure looks the same to the
// caller; a tenant never loses its last administrator with the admin role; tokens and
// session tokens are kept only as hashes.
package access

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// Store keeps administrators, their sessions and recovery codes, the sign-in throttle and
// API tokens. Like every store of the domain, each method that touches a tenant's rows
// takes the tenant's ID and never sees another tenant's rows; a lookup by a secret's hash
// is not scoped, since the secret names its tenant.
type Store interface {
	CreateAdmin(ctx context.Context, tenantID string, a *mdm.Admin) error
	AdminByEmail(ctx context.Context, tenantID, email string) (mdm.Admin, error)
	AdminByID(ctx context.Context, tenantID, id string) (mdm.Admin, error)
	// Admins returns the tenant's administrators by e-mail address.
	Admins(ctx context.Context, tenantID string) ([]mdm.Admin, error)
	// DisableAdmin marks the tenant's administrator as disabled at `at`; ErrNotFound if the
	// tenant has none with the ID, ErrConflict if it is disabled already.
	DisableAdmin(ctx context.Context, tenantID, id string, at time.Time) error
	// DeleteAdminSessions ends every session of the administrator.
	DeleteAdminSessions(ctx context.Context, tenantID, adminID string) error

	// CountFailedSignIn counts one failed sign-in of the administrator in one statement and,
	// when the new count is a multiple of every, locks the account until `until`; it returns
	// the new count. It never clears a lock.
	CountFailedSignIn(ctx context.Context, tenantID, id string, every int, until time.Time) (int, error)
	// ClearFailedSignIns forgets the failed sign-ins and any lock of the administrator, after
	// a sign-in that succeeded.
	ClearFailedSignIns(ctx context.Context, tenantID, id string) error
	// AcceptTOTPStep records that a code of time step `step` was accepted, and confirms
	// the second factor at `at` if it was not yet; ErrConflict when a code of this or a
	// later step was accepted before (a replayed code).
	AcceptTOTPStep(ctx context.Context, tenantID, id string, step int64, at time.Time) error
	SetAdminPassword(ctx context.Context, tenantID, id, hash string) error
	// ReplaceRecoveryCodes stores new recovery codes (hashes) of an administrator in place
	// of any old ones.
	ReplaceRecoveryCodes(ctx context.Context, tenantID, adminID string, hashes [][]byte) error
	// UseRecoveryCode marks an unused recovery code as used; ErrNotFound if there is none.
	UseRecoveryCode(ctx context.Context, tenantID, adminID string, hash []byte, at time.Time) error
	// CountSignInAttempt counts one attempt under key (a client address) in the window
	// that ends at expires, and returns how many the window holds now.
	CountSignInAttempt(ctx context.Context, key string, at, expires time.Time) (int, error)

	CreateSession(ctx context.Context, s *Session) error
	// SessionByHash returns the session with the token hash, of whichever tenant.
	SessionByHash(ctx context.Context, hash []byte) (Session, error)
	// UpdateSession stores the session's stage and last activity.
	UpdateSession(ctx context.Context, s Session) error
	// RenewSession moves the session under oldHash to s's hash and CSRF token, with s's
	// stage and last activity; ErrNotFound when there is no session under oldHash.
	RenewSession(ctx context.Context, oldHash []byte, s Session) error
	DeleteSession(ctx context.Context, hash []byte) error

	// CreatePasskey stores a new passkey of the tenant's administrator; ErrConflict when
	// the tenant has the credential already.
	CreatePasskey(ctx context.Context, tenantID string, p *Passkey) error
	// Passkeys returns the administrator's passkeys, oldest first.
	Passkeys(ctx context.Context, tenantID, adminID string) ([]Passkey, error)
	// UsePasskey stores the credential record after a use (its new sign counter) and the
	// time of the use.
	UsePasskey(ctx context.Context, tenantID, id, credential string, at time.Time) error
	// DeletePasskey removes one passkey of the administrator; ErrNotFound if they have
	// none with the ID.
	DeletePasskey(ctx context.Context, tenantID, adminID, id string) error
	// PutChallenge stores the challenge of a ceremony in place of any earlier one of the
	// same session and ceremony, and forgets expired challenges on the way.
	PutChallenge(ctx context.Context, c Challenge) error
	// TakeChallenge removes and returns the session's challenge of the ceremony;
	// ErrNotFound when there is none (never made, or taken before).
	TakeChallenge(ctx context.Context, sessionHash []byte, ceremony Ceremony) (Challenge, error)
	// ResetSecondFactor gives the administrator a new, unconfirmed TOTP secret (sealed)
	// and removes their recovery codes, passkeys and ceremonies under way; it returns how
	// many passkeys were removed.
	ResetSecondFactor(ctx context.Context, tenantID, adminID string, sealedTOTP []byte) (int, error)

	CreateAPIToken(ctx context.Context, t *APIToken) error
	// APITokenByHash returns the token with the hash, of whichever tenant: the secret
	// names its tenant.
	APITokenByHash(ctx context.Context, hash []byte) (APIToken, error)
	// APITokens returns the tenant's tokens, newest first.
	APITokens(ctx context.Context, tenantID string) ([]APIToken, error)
	// TouchAPIToken records a use at `at`, unless one was recorded within the minute before,
	// so that a busy script does not write on every call.
	TouchAPIToken(ctx context.Context, id string, at time.Time) error
	// RevokeAPIToken revokes the tenant's token; ErrNotFound if it has none with the ID.
	RevokeAPIToken(ctx context.Context, tenantID, id string, at time.Time) error

	// SSOStore keeps single sign-on (sso.go).
	SSOStore
}

// Service signs administrators and API tokens in and keeps who may act in each tenant.
type Service struct {
	mdm.Domain[Store]
	// own are the sub-domain's tables outside a transaction.
	own Store
}

// New returns the access sub-domain on db, whose tables tables reaches (outside a
// transaction, or in one), with core's clock and sealer.
func New(core *mdm.Service, db mdm.Store, tables func(tx mdm.Store) Store) *Service {
	return &Service{Domain: mdm.NewDomain(core, db, tables), own: tables(db)}
}

// atomic runs fn in one transaction with the sub-domain's tables in it and the time of
// the change.
func (s *Service) atomic(ctx context.Context, fn func(tx mdm.Store, t Store, at time.Time) error) error {
	return s.Atomic(ctx, func(tx mdm.Store, at time.Time) error { return fn(tx, s.Tables(tx), at) })
}
