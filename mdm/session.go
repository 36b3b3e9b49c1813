package mdm

import (
	"context"
	"crypto/sha256"
	"strings"
	"time"
)

// SessionStage is how far a dashboard sign-in has come. Only an active session may see or
// change anything; the others may only take the next step.
type SessionStage string

// The stages of a sign-in, in order. The password opens the second-factor step (setting
// the factor up on first sign-in); a one-time password must then be replaced before the
// session becomes active.
const (
	StageTOTPSetup      SessionStage = "totp_setup"
	StageSecondFactor   SessionStage = "second_factor"
	StagePasswordChange SessionStage = "password_change"
	StageActive         SessionStage = "active"
)

// Session is a dashboard sign-in, kept in the database so that every replica knows it.
// The browser holds the token in a cookie; only its hash is stored.
type Session struct {
	Hash       []byte
	TenantID   string
	AdminID    string
	Stage      SessionStage
	CSRF       string // the token every form and every change through the API must carry
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // the absolute end, however active the session is
}

// Session lifetimes: idle sessions end after SessionIdle, every session after
// SessionMaxAge, and an unfinished sign-in after SignInStepTimeout.
const (
	SessionIdle       = 30 * time.Minute
	SessionMaxAge     = 12 * time.Hour
	SignInStepTimeout = 10 * time.Minute
)

// Alive reports whether the session may still be used at now.
func (s Session) Alive(now time.Time) bool {
	if !now.Before(s.ExpiresAt) {
		return false
	}
	idle := SessionIdle
	if s.Stage != StageActive {
		idle = SignInStepTimeout
	}
	return now.Sub(s.LastSeenAt) < idle
}

// tokenPrefixSession marks session tokens apart from API tokens.
const tokenPrefixSession = "tws_"

// renew returns the session at stage under a new token (for the browser's cookie) and a
// new CSRF token. Each step of a sign-in renews them, so that a token seen before a step
// is worth nothing after it.
func renew(sess Session, stage SessionStage, at time.Time) (string, Session) {
	token := tokenPrefixSession + strings.ToLower(randomBase32(32))
	sess.Hash, sess.CSRF = HashSessionToken(token), strings.ToLower(randomBase32(20))
	sess.Stage, sess.LastSeenAt = stage, at
	return token, sess
}

// HashSessionToken returns the hash under which a session token is stored.
func HashSessionToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// SessionStore keeps dashboard sessions and what sign-in needs of administrators.
type SessionStore interface {
	AdminByID(ctx context.Context, tenantID, id string) (Admin, error)
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

	CreateSession(ctx context.Context, s *Session) error
	// SessionByHash returns the session with the token hash, of whichever tenant.
	SessionByHash(ctx context.Context, hash []byte) (Session, error)
	// UpdateSession stores the session's stage and last activity.
	UpdateSession(ctx context.Context, s Session) error
	// RenewSession moves the session under oldHash to s's hash and CSRF token, with s's
	// stage and last activity; ErrNotFound when there is no session under oldHash.
	RenewSession(ctx context.Context, oldHash []byte, s Session) error
	DeleteSession(ctx context.Context, hash []byte) error

	// CountSignInAttempt counts one attempt under key (a client address) in the window
	// that ends at expires, and returns how many the window holds now.
	CountSignInAttempt(ctx context.Context, key string, at, expires time.Time) (int, error)
}
